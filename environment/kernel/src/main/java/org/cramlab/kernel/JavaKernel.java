package org.cramlab.kernel;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jshell.SourceCodeAnalysis;

/** The Jupyter kernel: cells go through magics and JShell; values are rendered with the basekernel renderer. */
public final class JavaKernel extends BaseKernel {
    private final Shell shell;
    private final Magics magics;
    private final AtomicBoolean plotlySent = new AtomicBoolean();
    private final LanguageInfo languageInfo;

    /**
     * @param timeoutMillis per-snippet time limit, <= 0 for none
     * @param compilerOptions extra javac options for snippets
     * @param workingDir where relative paths in magics are resolved
     */
    public JavaKernel(long timeoutMillis, List<String> compilerOptions, Path workingDir) {
        this.shell = new Shell(timeoutMillis, compilerOptions);
        this.magics = new Magics(shell, workingDir);
        this.languageInfo = new LanguageInfo.Builder("java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
        Renderers.register(getRenderer(), JavaKernel.class.getClassLoader(), plotlySent);
    }

    /** Runs startup code (the built-in imports and user scripts) without showing results. */
    void runStartup(String code, String origin) {
        try {
            evalCell(code, 0);
        } catch (CellError e) {
            System.err.println("startup script " + origin + " failed: " + e.getMessage());
        }
    }

    /** Adds a jar or class folder to the snippets' classpath. */
    public void addToClasspath(String path) {
        shell.addToClasspath(path);
    }

    /** Expands and adds {@code IJAVA_CLASSPATH}-style entries (globs allowed). */
    void addClasspathPatterns(List<String> patterns) throws Exception {
        magics.addAll(patterns, true);
    }

    @Override
    public DisplayData eval(String code) throws Exception {
        Shell.Outcome out = evalCell(code, executionCount.get() - 1);
        if (!out.hasValue()) {
            return null;
        }
        return out.value() == null ? new DisplayData("null") : PlainText.fit(getRenderer().render(out.value()));
    }

    private Shell.Outcome evalCell(String code, int cell) throws CellError {
        shell.beginCell();
        Shell.Outcome last = Shell.Outcome.NONE;
        for (MagicParser.Part part : MagicParser.parse(code)) {
            if (part instanceof MagicParser.Code c) {
                last = shell.eval(c.text(), c.firstLine(), cell);
            } else if (part instanceof MagicParser.LineMagic m) {
                magics.line(m, cell);
                last = Shell.Outcome.NONE;
            } else if (part instanceof MagicParser.CellMagic m) {
                magics.cell(m);
                last = Shell.Outcome.NONE;
            }
        }
        return last;
    }

    @Override
    public List<String> formatError(Exception e) {
        if (e instanceof CellError ce) {
            List<String> lines = new ArrayList<>();
            List<String> tb = ce.traceback();
            lines.add(errorStyler.secondary(tb.get(0)));
            for (String l : tb.subList(1, tb.size())) {
                lines.add(errorStyler.primary(l));
            }
            return lines;
        }
        return super.formatError(e);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        Set<String> options = new LinkedHashSet<>();
        for (SourceCodeAnalysis.Suggestion s : shell.analysis().completionSuggestions(code, at, anchor)) {
            options.add(s.continuation());
        }
        return new ReplacementOptions(new ArrayList<>(options), anchor[0], at);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        List<SourceCodeAnalysis.Documentation> docs = shell.analysis().documentation(code, at, true);
        if (docs.isEmpty()) {
            // JShell documents calls being typed ("Math.max(|"); on a bare name, ask as if "(" followed it.
            int end = at;
            while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
                end++;
            }
            docs = shell.analysis().documentation(code.substring(0, end) + "(", end + 1, true);
        }
        if (docs.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (SourceCodeAnalysis.Documentation d : docs) {
            sb.append(d.signature()).append('\n');
            if (extraDetail && d.javadoc() != null) {
                sb.append(d.javadoc()).append('\n');
            }
        }
        return new DisplayData(sb.toString().strip());
    }

    @Override
    public String isComplete(String code) {
        SourceCodeAnalysis.CompletionInfo info = shell.analysis().analyzeCompletion(code);
        return switch (info.completeness()) {
            case COMPLETE, COMPLETE_WITH_SEMI, EMPTY -> IS_COMPLETE_YES;
            case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
            case UNKNOWN -> IS_COMPLETE_BAD;
        };
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " (cramlab kernel, JShell)";
    }

    @Override
    public void interrupt() {
        shell.stop();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        shell.stop();
        shell.close();
    }
}
