package org.cramlab.text;

/** Bad or missing text input (corpus, CSV, vocabulary file, tokenizer files), with a message saying what to do. */
public class TextException extends RuntimeException {

    public TextException(String message) {
        super(message);
    }

    public TextException(String message, Throwable cause) {
        super(message, cause);
    }
}
