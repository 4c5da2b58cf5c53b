package org.cramlab.sweep;

import org.cramlab.experiment.ExperimentException;

/** Bad sweep input (shard spec, Slurm option, run folder) or a failed Slurm command; the message says which and why. */
public class SweepException extends ExperimentException {
    public SweepException(String message) {
        super(message);
    }

    public SweepException(String message, Throwable cause) {
        super(message, cause);
    }
}
