package org.cramlab.kernel.wire;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks the frames of one multipart message against the wire protocol: identities, the
 * {@code <IDS|MSG>} delimiter, the signature, then header, parent header, metadata and content, each a
 * JSON object; the header names its {@code msg_id} and {@code msg_type}. Anything else is a
 * {@link BadMessage} whose reason names the rule broken, never the payload.
 */
public final class WireParser {
    static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);
    private static final String[] PARTS = {"header", "parent_header", "metadata", "content"};

    private final Signer signer;

    public WireParser(Signer signer) {
        this.signer = signer;
    }

    /** The message the frames carry, or why they carry none. */
    public WireMessage parse(List<byte[]> frames) throws BadMessage {
        int delimiter = -1;
        for (int i = 0; i < frames.size() && delimiter < 0; i++) {
            if (Arrays.equals(DELIMITER, frames.get(i))) {
                delimiter = i;
            }
        }
        if (delimiter < 0) {
            throw new BadMessage("no <IDS|MSG> delimiter among " + frames.size() + " frames");
        }
        int after = frames.size() - delimiter - 1;
        if (after < 1 + PARTS.length) {
            throw new BadMessage(after + " frames after <IDS|MSG>, expected at least 5 (signature, header, parent_header, metadata, content)");
        }
        byte[][] json = new byte[PARTS.length][];
        for (int i = 0; i < PARTS.length; i++) {
            json[i] = frames.get(delimiter + 2 + i);
        }
        if (!signer.verify(frames.get(delimiter + 1), json)) {
            throw new BadMessage("signature does not match (wrong key or altered message)");
        }
        JsonObject[] parts = new JsonObject[PARTS.length];
        for (int i = 0; i < PARTS.length; i++) {
            parts[i] = object(PARTS[i], json[i]);
        }
        JsonObject header = parts[0];
        requireString(header, "msg_id");
        requireString(header, "msg_type");
        List<byte[]> identities = new ArrayList<>(frames.subList(0, delimiter));
        List<byte[]> buffers = new ArrayList<>(frames.subList(delimiter + 1 + 1 + PARTS.length, frames.size()));
        return new WireMessage(identities, header, parts[1], parts[2], parts[3], buffers);
    }

    private static JsonObject object(String part, byte[] bytes) throws BadMessage {
        JsonElement e;
        try {
            e = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
        } catch (RuntimeException ex) { // gson's JsonParseException and its stack-overflow guard alike
            throw new BadMessage(part + " is not valid JSON");
        }
        if (!e.isJsonObject()) {
            throw new BadMessage(part + " is a JSON " + kind(e) + ", expected an object");
        }
        return e.getAsJsonObject();
    }

    private static void requireString(JsonObject header, String field) throws BadMessage {
        JsonElement e = header.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new BadMessage("header has no " + field + " string");
        }
    }

    private static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "array";
        }
        if (e.isJsonNull()) {
            return "null";
        }
        return e.getAsJsonPrimitive().isString() ? "string" : e.getAsJsonPrimitive().isNumber() ? "number" : "boolean";
    }

    /** A header field for a log line: at most 40 printable characters. */
    static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
