package org.cramlab.core;

import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gson's parse errors as a person reads them: where (line and column, or the field's path such as
 * {@code $.runs[0].length}) and what was expected, without exception class names or Gson's troubleshooting
 * URL.
 */
public final class JsonErrors {

    private JsonErrors() {}

    private static final Map<String, String> TOKENS = Map.of("BEGIN_OBJECT", "an object", "BEGIN_ARRAY", "a list",
            "STRING", "a string", "NUMBER", "a number", "BOOLEAN", "true or false", "NULL", "null",
            "END_DOCUMENT", "the end of the file", "NAME", "a field name", "END_OBJECT", "the end of an object",
            "END_ARRAY", "the end of a list");
    private static final Pattern EXPECTED = Pattern.compile("Expected (\\w+) but was (\\w+)(.*)");
    private static final Pattern WHERE = Pattern.compile("(.*?) at line (\\d+) column (\\d+)(?: path (\\S+))?(.*)");
    private static final Pattern PATH = Pattern.compile("(.*?) at path (\\S+)(.*)");
    private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:[a-z]\\w*\\.)+\\w*(?:Exception|Error): ");

    /**
     * {@link #describe(Throwable)} for an error reading {@code json} as {@code type}; where the error names no
     * place (a bad number), the field is found by reading the text again as a stream.
     */
    public static String describe(Throwable e, String json, Type type) {
        String d = describe(e);
        if (d.startsWith("line ") || d.startsWith("at ")) return d;
        JsonReader reader = new JsonReader(new StringReader(json));
        try {
            Json.COMPACT.fromJson(reader, type);
        } catch (RuntimeException again) {
            return "at " + reader.getPath() + ": " + d;
        }
        return d;
    }

    /** One line saying where and what, from a Gson or JSON-reading exception (the deepest message that has one). */
    public static String describe(Throwable e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) message = t.getMessage();
        }
        if (message == null) return "not valid JSON";
        String m = message.lines().findFirst().orElse("").strip(); // drops "See https://..." lines
        Matcher prefix = CLASS_PREFIX.matcher(m);
        while (prefix.find()) {
            m = m.substring(prefix.end());
            prefix = CLASS_PREFIX.matcher(m);
        }
        String where = "";
        Matcher w = WHERE.matcher(m);
        Matcher p = PATH.matcher(m);
        if (w.matches()) {
            where = "line " + w.group(2) + " column " + w.group(3) + (w.group(4) != null ? " (" + w.group(4) + ")" : "") + ": ";
            m = w.group(1) + w.group(5);
        } else if (p.matches()) {
            where = "at " + p.group(2) + ": ";
            m = p.group(1) + p.group(3);
        }
        Matcher x = EXPECTED.matcher(m);
        if (x.matches()) {
            m = "expected " + TOKENS.getOrDefault(x.group(1), x.group(1)) + ", found " + TOKENS.getOrDefault(x.group(2), x.group(2));
        } else if (m.startsWith("For input string: ")) {
            m = "expected a number, found " + m.substring("For input string: ".length());
        } else if (m.startsWith("End of input")) {
            m = "the JSON ends too early (an unclosed { or [?)";
        }
        return where + m;
    }
}
