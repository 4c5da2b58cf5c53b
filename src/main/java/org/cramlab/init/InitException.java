package org.cramlab.init;

import org.cramlab.core.CramlabException;

/** A learned init that cannot be fitted, read or used; the message is one line naming what and why. */
public final class InitException extends CramlabException {
    public InitException(String message) {
        super(message);
    }

    public InitException(String message, Throwable cause) {
        super(message, cause);
    }
}
