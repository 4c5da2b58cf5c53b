package org.cramlab.bench;

import org.cramlab.core.CramlabException;

/** A benchmark that cannot run as asked: bad option, missing tool, a child process that failed. */
public class BenchException extends CramlabException {

    private static final long serialVersionUID = 1L;

    /** @param message names the option/file/value and what was expected */
    public BenchException(String message) {
        super(message);
    }

    /**
     * @param message names the option/file/value and what was expected
     * @param cause the underlying error
     */
    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
