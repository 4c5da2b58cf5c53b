package org.cramlab.train;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level conventions, as Hugging Face's {@code ByteLevel} pre-tokenizer applies them: split
 * text with GPT-2's regex, then spell every UTF-8 byte as one printable character (space becomes
 * {@code Ġ}), so that any text maps onto 256 base symbols without unknown tokens.
 */
public final class ByteLevel {

    /** GPT-2's split pattern (HF {@code use_regex: true}); {@code \s} made Unicode-aware like Rust's. */
    static final Pattern SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = byteToChar();

    private ByteLevel() {}

    /** Splits text into pre-tokens exactly as the HF ByteLevel pre-tokenizer (add_prefix_space false). */
    public static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        while (m.find()) {
            parts.add(m.group());
        }
        return parts;
    }

    /** The printable character standing for byte {@code b} (0..255). */
    public static char symbol(int b) {
        return BYTE_TO_CHAR[b & 0xff];
    }

    /** A pre-token's UTF-8 bytes, each as its printable symbol. */
    public static String encode(String preToken) {
        byte[] bytes = preToken.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(symbol(b));
        }
        return sb.toString();
    }

    // GPT-2's table: printable Latin-1 bytes keep their code point, the other 68 bytes are moved to
    // 256, 257, ... in byte order.
    private static char[] byteToChar() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = (char) (printable ? b : next++);
        }
        return table;
    }
}
