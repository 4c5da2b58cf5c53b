package org.cramlab.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A read-only typed view of a Hugging Face {@code config.json}. Getters throw a
 * {@link CheckpointException} naming the file and the field when it is missing or of the wrong type.
 * Nested objects (e.g. {@code rope_scaling}) are views of their own with a dotted field prefix.
 */
public final class HfConfig {

    private final Path file;
    private final String prefix;
    private final JsonObject json;

    private HfConfig(Path file, String prefix, JsonObject json) {
        this.file = file;
        this.prefix = prefix;
        this.json = json;
    }

    /** Reads {@code dir/config.json} (or the file itself when given a file). */
    public static HfConfig read(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(
                    "missing " + file + ": a Hugging Face model directory needs config.json");
        }
        try {
            return new HfConfig(file, "", JsonParser.parseString(Files.readString(file)).getAsJsonObject());
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new CheckpointException("cannot read " + file + " as a JSON object: " + e.getMessage(), e);
        }
    }

    /** A view of an in-memory JSON object (tests, generated configs); {@code file} is for messages. */
    public static HfConfig of(Path file, JsonObject json) {
        return new HfConfig(file, "", json);
    }

    /** A deep copy of the JSON this view reads (e.g. to write config.json next to saved weights). */
    public JsonObject json() {
        return json.deepCopy();
    }

    /** The file this view was read from. */
    public Path file() {
        return file;
    }

    /** {@code model_type}. */
    public String modelType() {
        return requireString("model_type");
    }

    /** Whether the field is present and not null. */
    public boolean has(String field) {
        return json.has(field) && !json.get(field).isJsonNull();
    }

    /** A required integer field. */
    public int requireInt(String field) {
        return (int) number(field, require(field), true);
    }

    /** An integer field or {@code dflt} when absent/null. */
    public int optInt(String field, int dflt) {
        return has(field) ? requireInt(field) : dflt;
    }

    /** A required number field. */
    public double requireDouble(String field) {
        return number(field, require(field), false);
    }

    /** A number field or {@code dflt} when absent/null. */
    public double optDouble(String field, double dflt) {
        return has(field) ? requireDouble(field) : dflt;
    }

    /** A boolean field or {@code dflt} when absent/null. */
    public boolean optBool(String field, boolean dflt) {
        if (!has(field)) {
            return dflt;
        }
        JsonElement e = json.get(field);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
            return e.getAsBoolean();
        }
        throw wrong(field, "a boolean", e);
    }

    /** A required string field. */
    public String requireString(String field) {
        JsonElement e = require(field);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        throw wrong(field, "a string", e);
    }

    /** A string field or {@code dflt} when absent/null. */
    public String optString(String field, String dflt) {
        return has(field) ? requireString(field) : dflt;
    }

    /** A nested object field as a view, or empty when absent/null. */
    public Optional<HfConfig> optObject(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonElement e = json.get(field);
        if (!e.isJsonObject()) {
            throw wrong(field, "an object", e);
        }
        return Optional.of(new HfConfig(file, prefix + field + ".", e.getAsJsonObject()));
    }

    /** An error for an unsupported value of {@code field}. */
    public CheckpointException unsupported(String field, Object value, String expected) {
        return new CheckpointException(
                file + ": field " + prefix + field + " = " + value + " is not supported, expected " + expected);
    }

    private JsonElement require(String field) {
        if (!has(field)) {
            throw new CheckpointException(file + ": missing required field " + prefix + field);
        }
        return json.get(field);
    }

    private double number(String field, JsonElement e, boolean integer) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double v = e.getAsDouble();
            if (integer && (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE)) {
                throw wrong(field, "an integer", e);
            }
            return v;
        }
        throw wrong(field, integer ? "an integer" : "a number", e);
    }

    private CheckpointException wrong(String field, String expected, JsonElement got) {
        return new CheckpointException(file + ": field " + prefix + field + " = " + got + ", expected " + expected);
    }

    @Override
    public String toString() {
        return file + (prefix.isEmpty() ? "" : " [" + prefix + "]");
    }
}
