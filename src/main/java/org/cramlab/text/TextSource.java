package org.cramlab.text;

import com.google.gson.TypeAdapter;
import com.google.gson.annotations.JsonAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where a text comes from. Plans, records and parameter files carry {@link #id()} ({@code book},
 * {@code csv}, {@code random}, {@code lines}, {@code file}, {@code literal}), which is also what {@link #toString()}
 * gives, so text ids read {@code book:3}.
 */
@JsonAdapter(TextSource.Adapter.class)
public enum TextSource {
    /** Held-out chunks of cramlab's book corpus. */
    BOOK("book"),
    /** Texts of a chunk CSV in the paper's format (e.g. its pg19_valid_1k_chunks.csv). */
    CSV("csv"),
    /** Random word sequences drawn from a word list. */
    RANDOM("random"),
    /** One text per line of a file (the capacity command's --texts). */
    LINES("lines"),
    /** A plain text file. */
    FILE("file"),
    /** Text or token ids given directly (the cram command's --text and --ids). */
    LITERAL("literal");

    private final String id;

    TextSource(String id) {
        this.id = id;
    }

    /** The value in JSON and on the command line. */
    public String id() {
        return id;
    }

    /** Whether {@code id} (e.g. a record's {@code text_source}) names this source. */
    public boolean is(String id) {
        return this.id.equals(id);
    }

    /** The source named {@code id}, or a {@link TextException} listing the sources. */
    public static TextSource of(String id) {
        for (TextSource s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new TextException("text source must be one of " + ids() + "; got '" + id + "'");
    }

    /** {@code book, csv, random, lines, file, literal}. */
    public static String ids() {
        return Arrays.stream(values()).map(TextSource::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }

    /** JSON as the plain id string. */
    static final class Adapter extends TypeAdapter<TextSource> {
        @Override
        public void write(JsonWriter out, TextSource value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else {
                out.value(value.id);
            }
        }

        @Override
        public TextSource read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            return of(in.nextString());
        }
    }
}
