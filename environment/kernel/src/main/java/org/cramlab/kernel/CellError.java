package org.cramlab.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A cell failed: it did not compile, threw, was interrupted or timed out. The message names the
 * cell line so the error reply (and a failed nbconvert run) points at it.
 */
final class CellError extends Exception {

    /** What went wrong. */
    enum Kind {
        COMPILE("Compile error"),
        EXCEPTION("Exception"),
        INTERRUPTED("Interrupted"),
        TIMEOUT("Timeout"),
        MAGIC("Magic failed");

        final String title;

        Kind(String title) {
            this.title = title;
        }
    }

    private final Kind kind;
    private final int cellLine;
    private final List<String> details;

    /**
     * @param kind what went wrong
     * @param cellLine 1-based line of the cell, or 0 if unknown
     * @param message the compiler's or exception's message
     * @param details further lines: the offending source line, a stack trace
     */
    CellError(Kind kind, int cellLine, String message, List<String> details) {
        super(kind.title + (cellLine > 0 ? " at cell line " + cellLine : "") + ": " + message);
        this.kind = kind;
        this.cellLine = cellLine;
        this.details = List.copyOf(details);
    }

    Kind kind() {
        return kind;
    }

    int cellLine() {
        return cellLine;
    }

    /** The traceback lines shown under the error: the message, then the details. */
    List<String> traceback() {
        List<String> lines = new ArrayList<>();
        lines.add(getMessage());
        lines.addAll(details);
        return lines;
    }

    /** The cell's line {@code line} (1-based) with a caret under column {@code column} (0-based), if in range. */
    static List<String> pointAt(String cell, int line, int column) {
        String[] lines = cell.split("\n", -1);
        if (line < 1 || line > lines.length) {
            return List.of();
        }
        String text = lines[line - 1];
        int col = Math.max(0, Math.min(column, text.length()));
        return List.of(String.format("%4d | %s", line, text), "     | " + " ".repeat(col) + "^");
    }
}
