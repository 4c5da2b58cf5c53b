package org.cramlab.sweep;

import org.cramlab.core.CramlabException;

/** Bad sweep input (shard spec, Slurm option, run folder) or a failed Slurm command; the message says which and why. */
public class SweepException extends CramlabException {
    public SweepException(String message) {
        super(message);
    }

    public SweepException(String message, Throwable cause) {
        super(message, cause);
    }
}
