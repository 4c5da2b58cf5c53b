package org.cramlab.kernel.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignerTest {
    private static final byte[][] PARTS = {bytes("{\"a\":1}"), bytes("{}"), bytes("{}"), bytes("{}")};
    /** Python: hmac.new(b'secret', b'{"a":1}{}{}{}', hashlib.sha256).hexdigest() */
    private static final String PYTHON_HMAC = "5439160579203ae5952244a353b0f81b6ca58a3fb44727217799b393ee79601c";

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void signsLikePythonsHmac() {
        assertEquals(PYTHON_HMAC, Signer.of("hmac-sha256", "secret").sign(PARTS));
    }

    @Test
    void verifiesTheRightSignatureOnly() {
        Signer s = Signer.of("hmac-sha256", "secret");
        assertTrue(s.verify(bytes(PYTHON_HMAC), PARTS));
        assertTrue(s.verify(bytes(PYTHON_HMAC.toUpperCase()), PARTS));
        assertFalse(s.verify(bytes(PYTHON_HMAC.replace('5', '6')), PARTS));
        assertFalse(s.verify(bytes(""), PARTS));
        assertFalse(Signer.of("hmac-sha256", "other").verify(bytes(PYTHON_HMAC), PARTS));
        assertFalse(s.verify(bytes(PYTHON_HMAC), bytes("{\"a\":2}"), PARTS[1], PARTS[2], PARTS[3]));
    }

    @Test
    void anEmptyKeySignsNothingAndAcceptsAll() {
        Signer s = Signer.of("hmac-sha256", "");
        assertFalse(s.signs());
        assertEquals("", s.sign(PARTS));
        assertTrue(s.verify(bytes("anything"), PARTS));
    }

    @Test
    void anUnknownSchemeIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signer.of("rot13", "k"));
        assertTrue(e.getMessage().contains("rot13"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Signer.of("hmac-nosuchdigest", "k"));
    }
}
