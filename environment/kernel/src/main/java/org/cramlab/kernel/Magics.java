package org.cramlab.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The magics IJava users know: {@code %jars}, {@code %classpath}, {@code %load}, {@code %maven}, {@code %%loadFromPOM}. */
final class Magics {
    private final Shell shell;
    private final Path workingDir;
    private MavenResolver maven;

    Magics(Shell shell, Path workingDir) {
        this.shell = shell;
        this.workingDir = workingDir;
    }

    /** Runs a line magic; {@code cell} is the execution count (for errors in loaded files). */
    void line(MagicParser.LineMagic m, int cell) throws CellError {
        try {
            switch (m.name()) {
                case "jars" -> addAll(m.args(), false);
                case "classpath" -> addAll(splitPath(m.args()), true);
                case "load" -> load(m, cell);
                case "maven" -> addResolved(resolver().resolve(m.args()));
                default -> throw new CellError(CellError.Kind.MAGIC, m.line(), "unknown line magic %" + m.name()
                        + " (known: %jars, %classpath, %load, %maven; cell magic %%loadFromPOM)", List.of());
            }
        } catch (CellError e) {
            throw e;
        } catch (Exception e) {
            throw new CellError(CellError.Kind.MAGIC, m.line(), "%" + m.name() + " " + m.rawArgs() + ": " + e.getMessage(), List.of());
        }
    }

    /** Runs a cell magic. */
    void cell(MagicParser.CellMagic m) throws CellError {
        try {
            if (m.name().equals("loadFromPOM")) {
                addResolved(resolver().resolvePom(m.body()));
            } else {
                throw new CellError(CellError.Kind.MAGIC, 1, "unknown cell magic %%" + m.name() + " (known: %%loadFromPOM)", List.of());
            }
        } catch (CellError e) {
            throw e;
        } catch (Exception e) {
            throw new CellError(CellError.Kind.MAGIC, 1, "%%" + m.name() + ": " + e.getMessage(), List.of());
        }
    }

    /** Expands every argument (path or glob) and adds the files; a pattern matching nothing is an error. */
    List<Path> addAll(List<String> patterns, boolean allowFolders) throws IOException {
        if (patterns.isEmpty()) {
            throw new IOException("expected one or more paths or globs, e.g. lib/*.jar");
        }
        List<Path> added = new ArrayList<>();
        for (String pattern : patterns) {
            List<Path> files = Globs.expand(workingDir, pattern);
            if (files.isEmpty()) {
                throw new IOException("'" + pattern + "' matched no files in " + workingDir);
            }
            for (Path f : files) {
                if (!allowFolders && Files.isDirectory(f)) {
                    throw new IOException(f + " is a folder; %jars takes jar files (use %classpath for class folders)");
                }
                shell.addToClasspath(f.toAbsolutePath().toString());
                added.add(f);
            }
        }
        return added;
    }

    private void addResolved(List<Path> jars) {
        for (Path jar : jars) {
            shell.addToClasspath(jar.toString());
        }
        System.out.println("added " + jars.size() + " jar(s) to the classpath");
    }

    private void load(MagicParser.LineMagic m, int cell) throws IOException, CellError {
        if (m.args().size() != 1) {
            throw new IOException("expected one file (a .jsh or .java snippet file)");
        }
        Path file = workingDir.resolve(m.args().get(0));
        String code = Files.readString(file, StandardCharsets.UTF_8);
        try {
            shell.eval(code, 1, cell);
        } catch (CellError e) {
            throw new CellError(e.kind(), m.line(), "in " + file + " line " + e.cellLine() + ": " + e.getMessage(), e.traceback());
        }
    }

    private static List<String> splitPath(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            for (String p : a.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private MavenResolver resolver() {
        if (maven == null) {
            maven = new MavenResolver();
        }
        return maven;
    }
}
