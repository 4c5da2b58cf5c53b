package org.cramlab.bits;

import org.cramlab.core.CramlabException;

/** A bits/codec failure with a message that names the file, field or value and what was expected. */
public class BitsException extends CramlabException {

    public BitsException(String message) {
        super(message);
    }

    public BitsException(String message, Throwable cause) {
        super(message, cause);
    }
}
