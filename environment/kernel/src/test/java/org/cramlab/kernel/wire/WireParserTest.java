package org.cramlab.kernel.wire;

import static org.cramlab.kernel.wire.SignerTest.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireParserTest {
    static final Signer SIGNER = Signer.of("hmac-sha256", "secret");
    static final String HEADER = "{\"msg_id\":\"m1\",\"msg_type\":\"execute_request\",\"username\":\"u\",\"session\":\"s\",\"version\":\"5.3\"}";
    static final String EXECUTE = "{\"code\":\"1 + 1\",\"silent\":false,\"stop_on_error\":true}";
    private final WireParser parser = new WireParser(SIGNER);

    /** identity, delimiter, signature, the four parts (signed with SIGNER), then extra frames. */
    static List<byte[]> frames(String header, String content, String... extra) {
        byte[][] parts = {bytes(header), bytes("{}"), bytes("{}"), bytes(content)};
        List<byte[]> f = new ArrayList<>(List.of(bytes("client-id"), WireParser.DELIMITER, bytes(SIGNER.sign(parts))));
        f.addAll(List.of(parts));
        for (String e : extra) {
            f.add(bytes(e));
        }
        return f;
    }

    private String rejection(List<byte[]> frames) {
        return assertThrows(BadMessage.class, () -> parser.parse(frames)).getMessage();
    }

    @Test
    void aSignedMessageParsesIntoItsParts() throws BadMessage {
        WireMessage m = parser.parse(frames(HEADER, EXECUTE, "buffer"));
        assertEquals("execute_request", m.msgType());
        assertEquals("1 + 1", m.content().get("code").getAsString());
        assertEquals(1, m.identities().size());
        assertArrayEquals(bytes("client-id"), m.identities().get(0));
        assertEquals(1, m.buffers().size());
        assertArrayEquals(bytes("buffer"), m.buffers().get(0));
    }

    @Test
    void aWrongSignatureIsRejected() {
        List<byte[]> f = frames(HEADER, EXECUTE);
        f.set(2, bytes(Signer.of("hmac-sha256", "wrong").sign(f.get(3), f.get(4), f.get(5), f.get(6))));
        assertTrue(rejection(f).contains("signature"));
        List<byte[]> altered = frames(HEADER, EXECUTE);
        altered.set(6, bytes("{\"code\":\"System.exit(0);\"}"));
        assertTrue(rejection(altered).contains("signature"));
    }

    @Test
    void eachBrokenRuleHasItsReason() {
        assertEquals("header is not valid JSON", rejection(frames("{not json", EXECUTE)));
        assertEquals("content is a JSON array, expected an object", rejection(frames(HEADER, "[\"1 + 1\"]")));
        assertEquals("header is a JSON string, expected an object", rejection(frames("\"execute_request\"", EXECUTE)));
        assertEquals("header has no msg_type string", rejection(frames("{\"msg_id\":\"m1\"}", EXECUTE)));
        assertEquals("header has no msg_id string", rejection(frames("{\"msg_type\":\"execute_request\"}", EXECUTE)));
        assertEquals("header has no msg_type string", rejection(frames("{\"msg_id\":\"m1\",\"msg_type\":7}", EXECUTE)));
        assertTrue(rejection(frames(HEADER, EXECUTE).subList(0, 4)).startsWith("2 frames after <IDS|MSG>, expected at least 5"));
        assertTrue(rejection(frames(HEADER, EXECUTE).subList(3, 7)).startsWith("no <IDS|MSG> delimiter among 4 frames"));
        assertTrue(rejection(List.of(new byte[0])).startsWith("no <IDS|MSG> delimiter"));
    }

    @Test
    void reasonsNeverCarryThePayload() {
        String secret = "Files.delete(Path.of(\\\"/important\\\"))";
        String reason = rejection(frames(HEADER, "[\"" + secret + "\"]"));
        assertFalse(reason.contains("important"), reason);
        assertFalse(rejection(frames("{\"msg_id\":\"important\"}", EXECUTE)).contains("important"));
    }

    @Test
    void printableShortensAndMasks() {
        assertEquals("a?b", WireParser.printable("a\nb"));
        assertEquals(43, WireParser.printable("x".repeat(100)).length());
    }
}
