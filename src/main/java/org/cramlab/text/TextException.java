package org.cramlab.text;

import org.cramlab.core.CramlabException;

/** Bad or missing text input (corpus, CSV, vocabulary file, tokenizer files), with a message saying what to do. */
public class TextException extends CramlabException {

    public TextException(String message) {
        super(message);
    }

    public TextException(String message, Throwable cause) {
        super(message, cause);
    }
}
