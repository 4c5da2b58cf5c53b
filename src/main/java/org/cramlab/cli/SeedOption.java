package org.cramlab.cli;

import picocli.CommandLine.Option;

/**
 * {@code --seed}: one declaration and one default (the paper runs' memory-init seed, 0) for everything a
 * command draws at random: memory init, text sampling, token ids, training batches.
 */
public final class SeedOption {

    /** The default seed of every command: the engine's, {@code CramSettings.paper().seed()} (a constant for picocli). */
    public static final long DEFAULT = 0;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed of what this command draws at random (default: " + DEFAULT + "; plan: $CRAMLAB_SEED or"
                    + " the profile's).")
    Long seed;

    /** --seed, else {@link #DEFAULT}. */
    public long seed() {
        return seed != null ? seed : DEFAULT;
    }

    /** True when --seed was given (plan: it overrides the profile's). */
    public boolean given() {
        return seed != null;
    }
}
