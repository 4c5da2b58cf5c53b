package org.cramlab.kernel.wire;

/** A message that fails verification or parsing; the text names why, never the payload. */
public final class BadMessage extends Exception {
    public BadMessage(String reason) {
        super(reason, null, false, false);
    }
}
