package org.cramlab.cli;

import org.cramlab.cram.AdamW;
import org.cramlab.cram.CramException;
import org.cramlab.cram.CramSettings;
import picocli.CommandLine.Option;

/** Optimiser and stopping options; defaults are the paper's. */
public final class OptimOptions {

    @Option(names = "--steps", defaultValue = "5000", description = "Most optimisation steps per run (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "0.01", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--patience", defaultValue = "2000",
            description = "Stop after this many steps without a strict accuracy improvement (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the memory init (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-greedy", description = "Skip the greedy reconstruction check.")
    boolean noGreedy;

    /** Settings from these options, AdamW betas/weight decay/eps at the paper's values. */
    public CramSettings.Builder settings() {
        if (!(lr > 0 && lr <= AdamW.Config.MAX_LR)) {
            throw new CramException("--lr must be a finite number in (0, " + AdamW.Config.MAX_LR
                    + "] (the paper uses 0.01), got " + lr);
        }
        return CramSettings.builder()
                .optMaxSteps(steps)
                .optLr(lr)
                .optPatience(patience)
                .optSeed(seed)
                .optGreedyCheck(!noGreedy);
    }
}
