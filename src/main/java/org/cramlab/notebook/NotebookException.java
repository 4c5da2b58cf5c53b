package org.cramlab.notebook;

import org.cramlab.core.CramlabException;

/** A notebook helper could not do its job (bad run folder name, bad parameter). */
public class NotebookException extends CramlabException {
    private static final long serialVersionUID = 1L;
    public NotebookException(String message) { super(message); }
    public NotebookException(String message, Throwable cause) { super(message, cause); }
}
