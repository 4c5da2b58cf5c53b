package org.cramlab.kernel.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC of a message's four JSON frames, as the connection file's key and {@code signature_scheme}
 * ({@code hmac-sha256}) say. An empty key means no signing (Jupyter's rule): every signature passes.
 */
public final class Signer {
    private final SecretKeySpec key;
    private final String algorithm;

    private Signer(SecretKeySpec key, String algorithm) {
        this.key = key;
        this.algorithm = algorithm;
    }

    /** A signer for {@code scheme} (e.g. {@code hmac-sha256}) and {@code key}; null or empty key: none. */
    public static Signer of(String scheme, String key) {
        if (key == null || key.isEmpty()) {
            return new Signer(null, null);
        }
        String s = scheme == null ? "hmac-sha256" : scheme.toLowerCase(Locale.ROOT);
        if (!s.startsWith("hmac-")) {
            throw new IllegalArgumentException("signature_scheme '" + scheme + "': expected hmac-<digest>, e.g. hmac-sha256");
        }
        String algorithm = "Hmac" + s.substring("hmac-".length()).toUpperCase(Locale.ROOT).replace("-", "");
        try {
            Mac.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("signature_scheme '" + scheme + "': this JVM has no " + algorithm);
        }
        return new Signer(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm), algorithm);
    }

    /** Whether messages are signed at all. */
    public boolean signs() {
        return key != null;
    }

    /** Lower-case hex HMAC of the frames in order; empty when not signing. */
    public String sign(byte[]... frames) {
        if (key == null) {
            return "";
        }
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(key);
            for (byte[] f : frames) {
                mac.update(f);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " failed", e);
        }
    }

    /** Whether {@code signature} is the HMAC of the frames; compared in constant time. */
    public boolean verify(byte[] signature, byte[]... frames) {
        if (key == null) {
            return true;
        }
        byte[] expected = sign(frames).getBytes(StandardCharsets.US_ASCII);
        // MessageDigest.isEqual takes the same time wherever the first difference is.
        return MessageDigest.isEqual(expected, lowerCase(signature));
    }

    private static byte[] lowerCase(byte[] hex) {
        byte[] out = hex.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] >= 'A' && out[i] <= 'F') {
                out[i] += 'a' - 'A';
            }
        }
        return out;
    }
}
