package org.cramlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ShellTest {
    private Shell shell;

    @BeforeEach
    void open() {
        shell = new Shell(-1, List.of());
    }

    @AfterEach
    void close() {
        shell.close();
    }

    @Test
    void expressionValueIsTheObjectItself() throws Exception {
        Shell.Outcome out = shell.eval("var sb = new StringBuilder(\"ab\");\nsb.append('c');\nsb", 1, 1);
        StringBuilder sb = assertInstanceOf(StringBuilder.class, out.value());
        assertEquals("abc", sb.toString());
        assertSame(sb, shell.eval("sb", 1, 2).value(), "the same object, not a copy or its text");
    }

    @Test
    void declarationsAndSemicolonEndedLinesShowNoValue() throws Exception {
        assertFalse(shell.eval("int triple(int x) { return 3 * x; }", 1, 1).hasValue());
        assertFalse(shell.eval("triple(2);", 1, 2).hasValue());
        Shell.Outcome out = shell.eval("triple(14)", 1, 3);
        assertTrue(out.hasValue());
        assertEquals(42, out.value());
        Shell.Outcome nothing = shell.eval("String s = null;\ns", 1, 4);
        assertTrue(nothing.hasValue());
        assertNull(nothing.value());
    }

    @Test
    void compileErrorNamesCellLineWithCaretAndSymbol() {
        CellError e = assertThrows(CellError.class, () -> shell.eval("int a = 1;\n// the next line uses an undefined name\nint b = a + missing;\n", 1, 1));
        assertEquals(CellError.Kind.COMPILE, e.kind());
        assertEquals(3, e.cellLine());
        assertEquals("Compile error at cell line 3: cannot find symbol", e.getMessage());
        List<String> tb = e.traceback();
        assertEquals("   3 | int b = a + missing;", tb.get(1));
        assertEquals("     |             ^", tb.get(2));
        assertTrue(tb.stream().anyMatch(l -> l.contains("variable missing")), tb.toString());
    }

    @Test
    void compileErrorLineCountsFromWhereTheCodeStartsInTheCell() {
        CellError e = assertThrows(CellError.class, () -> shell.eval("int x = \"s\";", 4, 1));
        assertEquals(4, e.cellLine());
        assertTrue(e.getMessage().contains("incompatible types"), e.getMessage());
    }

    @Test
    void exceptionNamesCellLineAndKernelSurvives() throws Exception {
        shell.eval("void fail(String why) {\n  throw new IllegalStateException(why);\n}", 1, 1);
        CellError e = assertThrows(CellError.class,
                () -> shell.eval("int a = 1;\nint b = 2;\nif (a < b) fail(\"boom\");", 1, 2));
        assertEquals(CellError.Kind.EXCEPTION, e.kind());
        assertEquals(3, e.cellLine());
        assertEquals("Exception at cell line 3: java.lang.IllegalStateException: boom", e.getMessage());
        assertTrue(e.traceback().contains("    at fail(In[1] line 2)"), e.traceback().toString());
        assertTrue(e.traceback().contains("    at <cell>(cell line 3)"), e.traceback().toString());
        assertEquals(5, shell.eval("2 + 3", 1, 3).value());
    }

    @Test
    void interruptStopsABusyLoop() throws Exception {
        CompletableFuture<CellError> run = CompletableFuture.supplyAsync(() -> {
            try {
                shell.eval("System.setProperty(\"shelltest.started\", \"yes\");\nwhile (true) { }", 1, 1);
                return null;
            } catch (CellError e) {
                return e;
            }
        });
        // Cells run in this JVM: the cell sets a property once it runs (or fails to compile).
        for (int i = 0; i < 600 && System.getProperty("shelltest.started") == null && !run.isDone(); i++) {
            Thread.sleep(100);
        }
        assertTrue(System.getProperty("shelltest.started") != null, "cell did not start: " + run.getNow(null));
        CellError e = null;
        for (int i = 0; i < 600 && e == null; i++) { // the stop can land before the loop is entered
            shell.stop();
            try {
                e = run.get(100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                // retry
            }
        }
        assertTrue(e != null, "interrupt did not stop the cell");
        assertEquals(CellError.Kind.INTERRUPTED, e.kind());
        assertEquals(2, e.cellLine());
        assertEquals(7, shell.eval("3 + 4", 1, 2).value(), "kernel usable after the interrupt");
    }

    @Test
    void timeoutStopsASnippet() throws Exception {
        try (Shell limited = new Shell(200, List.of())) {
            CellError e = assertThrows(CellError.class, () -> limited.eval("int n = 0;\nwhile (true) { n++; }", 1, 1));
            assertEquals(CellError.Kind.TIMEOUT, e.kind());
            assertEquals(2, e.cellLine());
        }
    }

    @Test
    void addedClassFolderIsUsable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path src = java.nio.file.Files.writeString(dir.resolve("Greeter.java"),
                "package e2e; public class Greeter { public String greet(String n) { return \"hello \" + n; } }");
        int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.resolve("classes").toString(), src.toString());
        assertEquals(0, rc);
        shell.addToClasspath(dir.resolve("classes").toString());
        assertEquals("hello jshell", shell.eval("new e2e.Greeter().greet(\"jshell\")", 1, 1).value());
        assertTrue(shell.classpath().contains(dir.resolve("classes").toString()));
    }
}
