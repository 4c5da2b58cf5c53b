package org.cramlab.core;

/**
 * Root of cramlab's own errors: bad input or a failed step, with a message that names the file, field or
 * value and what was expected. Each layer throws its own subclass; the command line maps every one of
 * them to a one-line message and an exit code, and notebooks show the message (the kernel keeps running).
 */
public class CramlabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message names the file/field/value and what was expected */
    public CramlabException(String message) {
        super(message);
    }

    /**
     * @param message names the file/field/value and what was expected
     * @param cause the underlying error
     */
    public CramlabException(String message, Throwable cause) {
        super(message, cause);
    }
}
