package org.cramlab.core;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding whose error says where: the byte offset of the first bad sequence. */
public final class Utf8 {

    private Utf8() {}

    /**
     * {@code data} as a string.
     *
     * @param what names the input in the message, e.g. "input file notes.txt"
     * @throws CramlabException "WHAT is not UTF-8: malformed byte sequence (0xE9) at byte offset 3 ..."
     */
    public static String decode(byte[] data, String what) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(data);
        CharBuffer out = CharBuffer.allocate(data.length); // UTF-8 never decodes to more chars than bytes
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) r = decoder.flush(out);
        if (r.isError()) {
            int at = in.position();
            StringBuilder bad = new StringBuilder();
            for (int i = at; i < Math.min(data.length, at + r.length()); i++) {
                bad.append(bad.length() == 0 ? "0x" : " 0x").append(String.format("%02X", data[i] & 0xFF));
            }
            throw new CramlabException(what + " is not UTF-8: " + (r.isMalformed() ? "malformed" : "unmappable")
                    + " byte sequence (" + bad + ") at byte offset " + at + " (expected UTF-8 text)");
        }
        return out.flip().toString();
    }
}
