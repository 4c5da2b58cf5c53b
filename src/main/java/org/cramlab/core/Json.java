package org.cramlab.core;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Map;

/**
 * The one Gson configuration for everything cramlab writes and reads (run records, plans, params, summaries):
 * snake_case names, no HTML escaping.
 *
 * <p><b>Strict JSON.</b> {@link #write}/{@link #writePretty} never emit the bare tokens {@code NaN},
 * {@code Infinity} or {@code -Infinity}, which strict parsers (JavaScript's, Go's, {@code jq}) reject. A
 * non-finite number (e.g. the loss of a diverged run) is written as {@code null}, and the top-level object gets
 * a flag listing each one by JSON Pointer (RFC 6901) with its value:
 * <pre>{@code {"best_loss":null, "losses":[2.1,null], ..., "non_finite":{"/best_loss":"NaN","/losses/1":"Infinity"}}}</pre>
 * {@link #read} puts the values back. It also reads files written before (bare {@code NaN}/{@code Infinity}).
 * {@link #COMPACT} and {@link #PRETTY} are the underlying Gson (non-finite values allowed), for trees and ids.
 */
public final class Json {
    private Json() {}

    /** Key of the top-level object listing the non-finite numbers written as null: JSON Pointer to "NaN" etc. */
    public static final String NON_FINITE = "non_finite";

    /** Compact, one object per line (JSON lines, run ids); non-finite numbers as bare tokens: use {@link #write}. */
    public static final Gson COMPACT = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues()
            .disableHtmlEscaping()
            .create();

    /** Indented, for files people read (plan.json, params.json, summary.json): use {@link #writePretty}. */
    public static final Gson PRETTY = COMPACT.newBuilder().setPrettyPrinting().create();

    // strict writers: a non-finite number reaching them is a bug and throws; nulls we put in are kept
    private static final Gson STRICT = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
    private static final Gson STRICT_PRETTY = STRICT.newBuilder().setPrettyPrinting().create();

    /** {@code value} as one line of strict JSON (see the class comment). */
    public static String write(Object value) {
        return STRICT.toJson(strictTree(value));
    }

    /** {@code value} as indented strict JSON. */
    public static String writePretty(Object value) {
        return STRICT_PRETTY.toJson(strictTree(value));
    }

    /** Reads what {@link #write} wrote (non-finite values restored), and older files with bare NaN/Infinity. */
    public static <T> T read(String json, Class<T> type) {
        return COMPACT.fromJson(restore(JsonParser.parseString(json)), type);
    }

    /** {@link #read(String, Class)} for a generic type. */
    public static <T> T read(String json, Type type) {
        return COMPACT.fromJson(restore(JsonParser.parseString(json)), type);
    }

    /** The JSON tree of {@code value} with non-finite numbers nulled and listed under {@link #NON_FINITE}. */
    public static JsonElement strictTree(Object value) {
        JsonElement tree = value instanceof JsonElement e ? e.deepCopy() : COMPACT.toJsonTree(value);
        JsonObject flags = new JsonObject();
        tree = nullNonFinite(tree, "", flags);
        if (!flags.isEmpty()) {
            if (!tree.isJsonObject()) {
                throw new IllegalArgumentException("non-finite numbers " + flags + " outside a JSON object cannot be flagged");
            }
            tree.getAsJsonObject().add(NON_FINITE, flags);
        }
        return tree;
    }

    private static JsonElement nullNonFinite(JsonElement e, String pointer, JsonObject flags) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            if (!Double.isFinite(d)) {
                flags.addProperty(pointer, Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                return JsonNull.INSTANCE;
            }
        } else if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            for (Map.Entry<String, JsonElement> m : new ArrayList<>(o.entrySet())) {
                o.add(m.getKey(), nullNonFinite(m.getValue(), pointer + "/" + escape(m.getKey()), flags));
            }
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) a.set(i, nullNonFinite(a.get(i), pointer + "/" + i, flags));
        }
        return e;
    }

    /** Puts the values listed under {@link #NON_FINITE} back in place and drops the list. */
    static JsonElement restore(JsonElement tree) {
        if (!tree.isJsonObject() || !tree.getAsJsonObject().has(NON_FINITE)) return tree;
        JsonElement flags = tree.getAsJsonObject().remove(NON_FINITE);
        if (!flags.isJsonObject()) throw new com.google.gson.JsonParseException(NON_FINITE + " must be an object, got " + flags);
        for (Map.Entry<String, JsonElement> f : flags.getAsJsonObject().entrySet()) {
            double value = switch (f.getValue().getAsString()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new com.google.gson.JsonParseException(NON_FINITE + " " + f.getKey() + ": expected NaN, Infinity"
                        + " or -Infinity, got " + f.getValue());
            };
            put(tree, f.getKey(), new JsonPrimitive(value));
        }
        return tree;
    }

    private static void put(JsonElement tree, String pointer, JsonElement value) {
        String[] parts = pointer.split("/", -1);
        if (parts.length < 2 || !parts[0].isEmpty()) {
            throw new com.google.gson.JsonParseException(NON_FINITE + ": '" + pointer + "' is not a JSON Pointer");
        }
        JsonElement at = tree;
        for (int i = 1; i < parts.length; i++) {
            String key = parts[i].replace("~1", "/").replace("~0", "~");
            boolean last = i == parts.length - 1;
            if (at.isJsonObject()) {
                if (last) at.getAsJsonObject().add(key, value);
                else at = at.getAsJsonObject().get(key);
            } else if (at.isJsonArray() && key.matches("[0-9]+") && Integer.parseInt(key) < at.getAsJsonArray().size()) {
                if (last) at.getAsJsonArray().set(Integer.parseInt(key), value);
                else at = at.getAsJsonArray().get(Integer.parseInt(key));
            } else {
                at = null;
            }
            if (at == null) throw new com.google.gson.JsonParseException(NON_FINITE + ": '" + pointer + "' points nowhere");
        }
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
