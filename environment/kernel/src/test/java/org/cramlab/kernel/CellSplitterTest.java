package org.cramlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jdk.jshell.JShell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CellSplitterTest {
    private static JShell jshell;
    private static CellSplitter splitter;

    @BeforeAll
    static void open() {
        jshell = JShell.builder().executionEngine("local").build();
        splitter = new CellSplitter(jshell.sourceCodeAnalysis());
    }

    @AfterAll
    static void close() {
        jshell.close();
    }

    @Test
    void statementsMethodsClassesAndAFinalExpression() {
        String cell = "import java.util.*;\n\n// a comment\nint sq(int x) {\n  return x * x;\n}\nclass P { int v = 1; }\nint a = sq(3);\nList.of(a)\n";
        List<CellSplitter.Piece> pieces = splitter.split(cell);
        assertEquals(5, pieces.size(), pieces.toString());
        assertEquals("import java.util.*;", pieces.get(0).source().strip());
        assertEquals(1, line(cell, pieces.get(0)));
        assertEquals(3, line(cell, pieces.get(1)), "JShell keeps the leading comment with the method");
        assertTrue(pieces.get(1).source().startsWith("// a comment\nint sq"), pieces.get(1).source());
        assertEquals(7, line(cell, pieces.get(2)));
        assertEquals(8, line(cell, pieces.get(3)));
        assertEquals("List.of(a)", pieces.get(4).source().strip());
        assertEquals(9, line(cell, pieces.get(4)));
    }

    @Test
    void twoStatementsOnOneLineAndALeadingBlankLine() {
        String cell = "\nint a = 1; int b = 2;\n";
        List<CellSplitter.Piece> pieces = splitter.split(cell);
        assertEquals(2, pieces.size());
        assertEquals(2, line(cell, pieces.get(1)));
        assertEquals("int b = 2;", pieces.get(1).source().strip());
    }

    @Test
    void unfinishedCodeIsHandedOverWhole() {
        String cell = "int a = 1;\nfor (int i = 0; i < 3; i++) {\n  a++;\n";
        List<CellSplitter.Piece> pieces = splitter.split(cell);
        assertEquals(2, pieces.size());
        assertEquals(2, line(cell, pieces.get(1)));
        assertFalse(pieces.get(1).complete());
    }

    @Test
    void lineOfCountsNewlines() {
        assertEquals(1, CellSplitter.lineOf("abc", 2));
        assertEquals(3, CellSplitter.lineOf("a\nb\nc", 4));
    }

    private static int line(String cell, CellSplitter.Piece p) {
        return CellSplitter.lineOf(cell, p.offset());
    }
}
