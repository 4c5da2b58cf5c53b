package org.cramlab.run;

import org.cramlab.core.CramlabException;

/** Bad plan, profile or run-folder content; the message names the file or field and what was expected. */
public class ExperimentException extends CramlabException {
    private static final long serialVersionUID = 1L;
    public ExperimentException(String message) { super(message); }
    public ExperimentException(String message, Throwable cause) { super(message, cause); }
}
