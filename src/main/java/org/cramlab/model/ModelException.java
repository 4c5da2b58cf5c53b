package org.cramlab.model;

import org.cramlab.core.CramlabException;

/**
 * A model cannot do what it was asked at run time, e.g. a sequence longer than its positions. (Bad model
 * files are a {@link org.cramlab.checkpoint.CheckpointException}.) The message names the value and the limit.
 */
public class ModelException extends CramlabException {
    private static final long serialVersionUID = 1L;

    /** @param message names the value and what was expected */
    public ModelException(String message) {
        super(message);
    }
}
