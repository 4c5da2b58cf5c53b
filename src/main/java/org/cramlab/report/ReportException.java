package org.cramlab.report;

import org.cramlab.core.CramlabException;

/** A table, figure or its file could not be made (missing plotly.js, unwritable output file, bad argument). */
public class ReportException extends CramlabException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the file or value and what was expected */
    public ReportException(String message) {
        super(message);
    }

    /**
     * @param message what failed, naming the file or value and what was expected
     * @param cause the underlying error
     */
    public ReportException(String message, Throwable cause) {
        super(message, cause);
    }
}
