package org.cramlab.cram;

import org.cramlab.core.CramlabException;

/**
 * Bad input to a cramming run: an empty text, K &lt; 1, a text longer than the model takes, an
 * unreadable or mis-shaped memory file. The message names the value or file and what was expected.
 */
public class CramException extends CramlabException {

    private static final long serialVersionUID = 1L;

    /** @param message names the field/file/value and what was expected */
    public CramException(String message) {
        super(message);
    }

    /**
     * @param message names the field/file/value and what was expected
     * @param cause the underlying error
     */
    public CramException(String message, Throwable cause) {
        super(message, cause);
    }
}
