package org.cramlab.cli;

import org.cramlab.cram.CramException;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.OptimiserSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Optimiser and stopping options, and the memory-init seed. Their defaults are the fields' initial values,
 * taken from {@link OptimiserSettings#paper()} (picocli shows them as ${DEFAULT-VALUE}), so the paper's
 * numbers are written down in one place only.
 */
public final class OptimOptions {
    private static final OptimiserSettings PAPER = OptimiserSettings.paper();

    @Option(names = "--steps", description = "Most optimisation steps per run (default: ${DEFAULT-VALUE}).")
    int steps = PAPER.maxSteps();

    @Option(names = "--lr", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr = PAPER.lr();

    @Option(names = "--patience",
            description = "Stop after this many steps without a strict accuracy improvement (default: ${DEFAULT-VALUE}).")
    int patience = PAPER.patience();

    @Mixin
    SeedOption seed;

    @Option(names = "--no-greedy", description = "Skip the greedy reconstruction check.")
    boolean noGreedy;

    /** The optimiser settings: these options, AdamW betas/weight decay/eps at the paper's values. */
    public OptimiserSettings optimiser() {
        if (!(lr > 0 && lr <= OptimiserSettings.MAX_LR)) {
            throw new CramException("--lr must be a finite number in (0, " + OptimiserSettings.MAX_LR
                    + "] (the paper uses 0.01), got " + lr);
        }
        requirePositive("--steps", steps);
        requirePositive("--patience", patience);
        return PAPER.withLr(lr).withSteps(steps, patience);
    }

    /** Engine settings from these options. */
    public CramSettings.Builder settings() {
        return CramSettings.builder().optOptimiser(optimiser()).optSeed(seed()).optGreedyCheck(!noGreedy);
    }

    /** --seed, else the one default. */
    public long seed() {
        return seed.seed();
    }

    static void requirePositive(String option, int value) {
        if (value < 1) throw new CramException(option + " must be >= 1, got " + value);
    }
}
