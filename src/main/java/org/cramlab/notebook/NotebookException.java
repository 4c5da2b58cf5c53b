package org.cramlab.notebook;

import org.cramlab.core.CramlabException;

/** A notebook helper could not do its job (missing plotly.js, unwritable output file, bad argument). */
public class NotebookException extends CramlabException {

    /** @param message what failed, naming the file or value and what was expected */
    public NotebookException(String message) {
        super(message);
    }

    /**
     * @param message what failed, naming the file or value and what was expected
     * @param cause the underlying error
     */
    public NotebookException(String message, Throwable cause) {
        super(message, cause);
    }
}
