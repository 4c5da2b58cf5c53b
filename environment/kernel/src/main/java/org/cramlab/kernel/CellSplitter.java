package org.cramlab.kernel;

import java.util.ArrayList;
import java.util.List;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;

/**
 * Splits a cell's Java into the snippets JShell evaluates one at a time, keeping where each starts
 * in the cell so errors can name the cell line.
 */
final class CellSplitter {

    /**
     * One snippet.
     *
     * @param source the snippet as JShell should evaluate it
     * @param offset character offset of its first character in the cell
     * @param complete false if the cell ended in the middle of it (JShell will reject it)
     */
    record Piece(String source, int offset, boolean complete) {}

    private final SourceCodeAnalysis analysis;

    CellSplitter(SourceCodeAnalysis analysis) {
        this.analysis = analysis;
    }

    /** The snippets of {@code code}, in order; blank text and comments between them are dropped. */
    List<Piece> split(String code) {
        List<Piece> pieces = new ArrayList<>();
        int cursor = 0;
        while (cursor < code.length()) {
            String rest = code.substring(cursor);
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            Completeness c = info.completeness();
            if (c == Completeness.EMPTY) {
                break;
            }
            int consumed = rest.length() - info.remaining().length();
            if (!c.isComplete() || consumed <= 0) {
                // The rest does not parse as complete snippets: hand it over whole so JShell reports why.
                String tail = rest.strip();
                pieces.add(new Piece(tail, cursor + rest.indexOf(tail), c == Completeness.UNKNOWN));
                break;
            }
            // JShell may keep leading blank lines; drop them so positions in the snippet match the cell.
            String source = info.source().stripLeading();
            pieces.add(new Piece(source, cursor + startOf(rest.substring(0, consumed), source), true));
            cursor += consumed;
        }
        return pieces;
    }

    /** Where the snippet's text starts in the consumed region (JShell drops leading blanks and comments). */
    private static int startOf(String region, String source) {
        String probe = source.strip();
        int newline = probe.indexOf('\n');
        if (newline > 0) {
            probe = probe.substring(0, newline);
        }
        int at = region.indexOf(probe);
        if (at >= 0) {
            return at;
        }
        int i = 0;
        while (i < region.length() && Character.isWhitespace(region.charAt(i))) {
            i++;
        }
        return i;
    }

    /** 1-based line in {@code text} of character {@code offset}. */
    static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
