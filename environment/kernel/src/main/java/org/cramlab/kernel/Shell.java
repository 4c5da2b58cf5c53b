package org.cramlab.kernel;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * The JShell session behind the kernel: evaluates Java text snippet by snippet, in this JVM, and
 * turns rejections and exceptions into {@link CellError}s naming the cell line.
 */
final class Shell implements AutoCloseable {

    /** The outcome of evaluating some code: the last expression's value, if the code ended in one. */
    record Outcome(boolean hasValue, Object value) {
        static final Outcome NONE = new Outcome(false, null);
    }

    private final JShell jshell;
    private final ResultExecutionControl control;
    private final CellSplitter splitter;
    /** Where a snippet came from: the execution count of its cell and the cell line it starts on. */
    private record Place(int cell, int line) {}

    /** JShell snippet id -> where it came from, to map stack frames back to cell lines. */
    private final Map<String, Place> places = new HashMap<>();
    private final List<String> classpath = new ArrayList<>();

    /**
     * @param timeoutMillis per-snippet time limit, <= 0 for none
     * @param compilerOptions extra javac options
     */
    Shell(long timeoutMillis, List<String> compilerOptions) {
        this.control = new ResultExecutionControl(timeoutMillis);
        this.jshell = JShell.builder()
                .executionEngine(new ResultExecutionControl.Provider(control), Map.of())
                .compilerOptions(compilerOptions.toArray(new String[0]))
                .build();
        // Let snippets compile against everything the kernel JVM was launched with (lib/*, the runtime
        // helpers). Loading still goes to the launch class loader first, so nothing is loaded twice.
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                jshell.addToClasspath(entry);
            }
        }
        this.splitter = new CellSplitter(jshell.sourceCodeAnalysis());
    }

    JShell jshell() {
        return jshell;
    }

    SourceCodeAnalysis analysis() {
        return jshell.sourceCodeAnalysis();
    }

    /** Adds a jar or class folder for compilation and loading. */
    void addToClasspath(String path) {
        jshell.addToClasspath(path);
        classpath.add(path);
    }

    /** Everything added at run time, in order (the launch classpath comes first). */
    List<String> classpath() {
        List<String> all = new ArrayList<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        all.addAll(classpath);
        return all;
    }

    /**
     * Evaluates {@code code}. {@code firstLine} is the cell line {@code code} starts on, so errors
     * name the line of the whole cell even when magics came before.
     */
    Outcome eval(String code, int firstLine, int cell) throws CellError {
        Outcome last = Outcome.NONE;
        for (CellSplitter.Piece piece : splitter.split(code)) {
            int pieceLine = firstLine + CellSplitter.lineOf(code, piece.offset()) - 1;
            last = evalPiece(piece, pieceLine, code, firstLine, cell);
        }
        return last;
    }

    private Outcome evalPiece(CellSplitter.Piece piece, int pieceLine, String code, int firstLine, int cell)
            throws CellError {
        List<SnippetEvent> events = jshell.eval(piece.source());
        System.out.flush();
        System.err.flush();
        Outcome outcome = Outcome.NONE;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) {
                continue; // a dependent snippet re-evaluated because this one changed
            }
            Snippet snippet = event.snippet();
            places.put(snippet.id(), new Place(cell, pieceLine));
            if (event.status() == Snippet.Status.REJECTED) {
                throw compileError(snippet, pieceLine, code, firstLine);
            }
            if (control.stopped()) {
                throw control.timedOut()
                        ? new CellError(CellError.Kind.TIMEOUT, pieceLine, "the snippet ran past IJAVA_TIMEOUT and was stopped", List.of())
                        : new CellError(CellError.Kind.INTERRUPTED, pieceLine, "the cell was interrupted", List.of());
            }
            if (event.exception() != null) {
                throw runtimeError(event.exception(), pieceLine, cell);
            }
            if (isValue(snippet) && !piece.source().strip().endsWith(";")) {
                String key = event.value();
                Object value = control.takeResult(key);
                outcome = new Outcome(true, value != null ? value : ("null".equals(key) ? null : key));
            } else {
                control.takeResult(event.value()); // drop the stored object of a statement-like value
            }
        }
        return outcome;
    }

    /** Expressions show a result: a plain expression, or the {@code $N} temp variable JShell makes for one. */
    private static boolean isValue(Snippet s) {
        return s.kind() == Snippet.Kind.EXPRESSION
                || (s instanceof VarSnippet && s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);
    }

    private CellError compileError(Snippet snippet, int pieceLine, String code, int firstLine) {
        List<Diag> diags = jshell.diagnostics(snippet).filter(Diag::isError).toList();
        if (diags.isEmpty()) {
            return new CellError(CellError.Kind.COMPILE, pieceLine, "rejected: " + snippet.source().strip(), List.of());
        }
        Diag d = diags.get(0);
        String src = snippet.source();
        int pos = (int) Math.max(0, d.getStartPosition());
        int line = pieceLine + CellSplitter.lineOf(src, pos) - 1;
        int column = pos - (src.lastIndexOf('\n', pos - 1) + 1);
        String[] text = d.getMessage(null).split("\n");
        String message = text[0];
        List<String> details = new ArrayList<>();
        // The cell as the user sees it: code starts at firstLine, so index into it relative to that.
        details.addAll(CellError.pointAt(code, line - firstLine + 1, column));
        for (int i = 1; i < text.length; i++) {
            if (!text[i].strip().startsWith("location:")) {
                details.add(text[i]);
            }
        }
        for (int i = 1; i < diags.size(); i++) {
            Diag more = diags.get(i);
            details.add("also at cell line " + (pieceLine + CellSplitter.lineOf(src, (int) Math.max(0, more.getStartPosition())) - 1)
                    + ": " + firstLine(more.getMessage(null)));
        }
        return new CellError(CellError.Kind.COMPILE, line, message, details);
    }

    private CellError runtimeError(JShellException e, int pieceLine, int cell) {
        String name;
        if (e instanceof EvalException ee) {
            name = ee.getExceptionClassName();
        } else if (e instanceof UnresolvedReferenceException ure) {
            name = "unresolved reference";
            return new CellError(CellError.Kind.EXCEPTION, pieceLine,
                    ure.getSnippet().source().strip() + " uses something not defined yet: "
                            + jshell.unresolvedDependencies(ure.getSnippet()).toList(), List.of());
        } else {
            name = e.getClass().getName();
        }
        int line = pieceLine;
        List<String> details = new ArrayList<>();
        details.add(name + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        boolean located = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t != e) {
                String causeName = t instanceof EvalException ce ? ce.getExceptionClassName() : t.getClass().getName();
                details.add("Caused by: " + causeName + (t.getMessage() == null ? "" : ": " + t.getMessage()));
            }
            for (StackTraceElement f : t.getStackTrace()) {
                details.add("    at " + describe(f, cell));
                Place place = placeOf(f);
                if (!located && t == e && place != null && place.cell() == cell) {
                    line = place.line() + f.getLineNumber() - 1;
                    located = true;
                }
            }
        }
        String message = name + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new CellError(CellError.Kind.EXCEPTION, line, message, details);
    }

    /** A stack frame, with JShell's {@code #id:line} mapped to the line of the cell it came from. */
    private String describe(StackTraceElement f, int cell) {
        Place place = placeOf(f);
        if (place == null) {
            return f.toString();
        }
        String method = f.getMethodName().isEmpty() || f.getMethodName().equals("do_it$") ? "<cell>" : f.getMethodName();
        int line = place.line() + f.getLineNumber() - 1;
        return method + (place.cell() == cell ? "(cell line " + line + ")" : "(In[" + place.cell() + "] line " + line + ")");
    }

    private Place placeOf(StackTraceElement f) {
        String file = f.getFileName();
        return file != null && file.startsWith("#") ? places.get(file.substring(1)) : null;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Stops the running snippet, if any. */
    void stop() {
        control.stop();
    }

    @Override
    public void close() {
        jshell.close();
    }

    /** Declared names visible in the session, for inspection. */
    Optional<String> typeOf(String expression) {
        try {
            String type = analysis().analyzeType(expression, expression.length());
            return Optional.ofNullable(type);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
