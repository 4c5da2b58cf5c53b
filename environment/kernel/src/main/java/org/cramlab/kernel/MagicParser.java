package org.cramlab.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a cell into Java code and IJava-style magics: a first line {@code %%name args} makes the
 * whole cell a cell magic; otherwise each line starting with {@code %name} is a line magic, run in
 * order with the code around it.
 */
final class MagicParser {

    /** A piece of a cell. */
    sealed interface Part permits Code, LineMagic, CellMagic {}

    /** Java code starting on cell line {@code firstLine} (1-based). */
    record Code(String text, int firstLine) implements Part {}

    /** {@code %name args} on cell line {@code line}. */
    record LineMagic(String name, List<String> args, String rawArgs, int line) implements Part {}

    /** {@code %%name args} followed by its body. */
    record CellMagic(String name, List<String> args, String body) implements Part {}

    private MagicParser() {}

    static List<Part> parse(String cell) {
        String[] lines = cell.split("\n", -1);
        int first = 0;
        while (first < lines.length && lines[first].isBlank()) {
            first++;
        }
        if (first < lines.length && lines[first].stripLeading().startsWith("%%")) {
            String head = lines[first].stripLeading().substring(2);
            String body = String.join("\n", java.util.Arrays.copyOfRange(lines, first + 1, lines.length));
            return List.of(new CellMagic(name(head), splitArgs(rest(head)), body));
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder code = new StringBuilder();
        int codeStart = 1;
        for (int i = 0; i < lines.length; i++) {
            String stripped = lines[i].stripLeading();
            if (stripped.startsWith("%") && !stripped.startsWith("%%") && stripped.length() > 1
                    && Character.isJavaIdentifierStart(stripped.charAt(1))) {
                flush(parts, code, codeStart);
                String head = stripped.substring(1).strip();
                parts.add(new LineMagic(name(head), splitArgs(rest(head)), rest(head), i + 1));
                codeStart = i + 2;
            } else {
                if (code.length() == 0) {
                    codeStart = i + 1;
                }
                code.append(lines[i]).append('\n');
            }
        }
        flush(parts, code, codeStart);
        return parts;
    }

    private static void flush(List<Part> parts, StringBuilder code, int start) {
        if (!code.toString().isBlank()) {
            parts.add(new Code(code.toString(), start));
        }
        code.setLength(0);
    }

    private static String name(String head) {
        int sp = indexOfSpace(head);
        return sp < 0 ? head.strip() : head.substring(0, sp);
    }

    private static String rest(String head) {
        int sp = indexOfSpace(head);
        return sp < 0 ? "" : head.substring(sp + 1).strip();
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Splits magic arguments on blanks; single or double quotes keep blanks, backslash escapes. */
    static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inToken = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                inToken = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            out.add(cur.toString());
        }
        return out;
    }
}
