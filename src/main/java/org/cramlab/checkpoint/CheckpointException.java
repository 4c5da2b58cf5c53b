package org.cramlab.checkpoint;

import org.cramlab.core.CramlabException;

/**
 * Bad or unsupported model input: a missing file, an invalid safetensors header, a missing or
 * mis-shaped tensor, an unsupported config option. The message names the file, tensor or field and
 * says what was expected.
 */
public class CheckpointException extends CramlabException {

    private static final long serialVersionUID = 1L;

    /** @param message names the file/tensor/field and what was expected */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * @param message names the file/tensor/field and what was expected
     * @param cause the underlying error
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
