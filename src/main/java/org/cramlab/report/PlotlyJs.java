package org.cramlab.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the plotly.js that plots inline, so figures render without internet. Tablesaw's own HTML
 * loads plotly from a CDN, which is unreachable here; setup installs {@code plotly.js-dist-min@2.35.3}
 * from npm instead (plotly.js 3 drops the plain-string titles Tablesaw emits).
 *
 * <p>Looked up in order: system property {@value #PROPERTY}, environment variable {@value #ENV},
 * then {@value #NPM_PATH} in the working directory or any of its ancestors.
 */
public final class PlotlyJs {
    /** System property naming the plotly.min.js file. */
    public static final String PROPERTY = "cramlab.plotly.js";
    /** Environment variable naming the plotly.min.js file. */
    public static final String ENV = "CRAMLAB_PLOTLY_JS";
    /** Where {@code environment/setup} installs it, relative to the repository root. */
    public static final String NPM_PATH = "environment/.npm/node_modules/plotly.js-dist-min/plotly.min.js";

    /** The file read last and its text (re-read when the located file changes, e.g. a new property). */
    private static volatile Loaded cached;

    private record Loaded(Path path, String source) {}

    private PlotlyJs() {}

    /** The plotly.min.js file, or a {@link ReportException} saying where it was looked for. */
    public static Path locate() {
        return locate(System.getProperty(PROPERTY), System.getenv(ENV), Path.of("").toAbsolutePath());
    }

    /** {@link #locate()} with its inputs explicit (for tests). */
    static Path locate(String property, String env, Path workingDir) {
        for (String[] named : new String[][] {{"system property " + PROPERTY, property}, {"environment variable " + ENV, env}}) {
            if (named[1] != null && !named[1].isBlank()) {
                Path p = Path.of(named[1]);
                if (!Files.isRegularFile(p)) {
                    throw new ReportException(named[0] + " points at " + p + ", which is not a file");
                }
                return p;
            }
        }
        List<Path> tried = new ArrayList<>();
        for (Path dir = workingDir; dir != null; dir = dir.getParent()) {
            Path p = dir.resolve(NPM_PATH);
            if (Files.isRegularFile(p)) {
                return p;
            }
            tried.add(p);
        }
        throw new ReportException("plotly.js not found (looked for " + NPM_PATH + " in " + workingDir
                + " and its parents, and " + PROPERTY + "/" + ENV + " are unset): run environment/setup,"
                + " or set " + ENV + " to a plotly.min.js 2.x file");
    }

    /** The library's source text, read once per file located. */
    public static String source() {
        Path p = locate();
        Loaded c = cached;
        if (c == null || !c.path().equals(p)) {
            try {
                c = new Loaded(p, Files.readString(p, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ReportException("cannot read plotly.js from " + p + ": " + e.getMessage(), e);
            }
            cached = c;
        }
        return c.source();
    }
}
