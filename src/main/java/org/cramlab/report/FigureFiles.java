package org.cramlab.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * Saves figures into a run folder as self-contained HTML (plotly inlined, works offline) and as PNG
 * rendered by headless Chromium, so figures show on GitHub and in papers; tables as CSV.
 *
 * <p>PNG export needs Chromium ({@code environment/setup} installs Debian's). Without it, or when it
 * fails, {@link #png} returns empty and logs a warning naming what to install: the HTML is still written
 * and nothing fails.
 */
public final class FigureFiles {
    private static final System.Logger LOG = System.getLogger(FigureFiles.class.getName());
    /** Overrides the Chromium binary (default /usr/bin/chromium, then chromium on PATH). */
    public static final String ENV_CHROMIUM = "CRAMLAB_CHROMIUM";

    private final Path chromium;
    private final List<String> warnings = new ArrayList<>();

    private FigureFiles(Path chromium) {
        this.chromium = chromium;
    }

    /** Uses {@code $CRAMLAB_CHROMIUM}, else {@code /usr/bin/chromium}. */
    public static FigureFiles create() {
        String env = System.getenv(ENV_CHROMIUM);
        return new FigureFiles(Path.of(env != null && !env.isBlank() ? env : "/usr/bin/chromium"));
    }

    /** Uses the given Chromium binary (it need not exist: PNG export then degrades to a warning). */
    public static FigureFiles withChromium(Path chromium) {
        return new FigureFiles(chromium);
    }

    /**
     * Writes {@code <dir>/<name>.html} and, if Chromium works, {@code <dir>/<name>.png}; returns the files
     * written.
     */
    public List<Path> save(Figure figure, String title, Path dir, String name) {
        List<Path> out = new ArrayList<>();
        Path html = Html.save(figure, title, dir.resolve(name + ".html"));
        out.add(html);
        png(html, dir.resolve(name + ".png")).ifPresent(out::add);
        return out;
    }

    /**
     * The figure as PNG bytes (for a static image inside a notebook output), rendered like {@link #save}
     * in a temporary folder; empty with a warning if Chromium cannot.
     */
    public Optional<byte[]> pngBytes(Figure figure) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("cramlab-figure");
            Path html = Html.save(figure, "figure", tmp.resolve("figure.html"));
            Optional<Path> png = png(html, tmp.resolve("figure.png"));
            return png.isPresent() ? Optional.of(Files.readAllBytes(png.get())) : Optional.empty();
        } catch (IOException e) {
            warn("PNG of a figure failed: " + e.getMessage());
            return Optional.empty();
        } finally {
            deleteTree(tmp);
        }
    }

    /** Screenshots an HTML file into a PNG (1000 x 650) with headless Chromium; empty with a warning if it cannot. */
    public Optional<Path> png(Path html, Path png) {
        if (!Files.isExecutable(chromium)) {
            return warn("PNG export skipped for " + html.getFileName() + ": Chromium not found at " + chromium
                    + " (run environment/setup, or set " + ENV_CHROMIUM + ")");
        }
        Path profile = null;
        try {
            profile = Files.createTempDirectory("cramlab-chromium");
            Files.deleteIfExists(png);
            ProcessBuilder pb = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--hide-scrollbars", "--virtual-time-budget=3000", "--user-data-dir=" + profile,
                    "--screenshot=" + png.toAbsolutePath(), "--window-size=1000,650",
                    html.toAbsolutePath().toUri().toString());
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return warn("PNG export of " + html.getFileName() + " timed out after 90 s (Chromium " + chromium + ")");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(png) || Files.size(png) == 0) {
                return warn("PNG export of " + html.getFileName() + " failed: Chromium exited " + p.exitValue());
            }
            return Optional.of(png);
        } catch (IOException e) {
            return warn("PNG export of " + html.getFileName() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return warn("PNG export of " + html.getFileName() + " interrupted");
        } finally {
            deleteTree(profile);
        }
    }

    /** Warnings so far (PNG export skipped or failed). */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Writes a table as {@code <dir>/<name>.csv}. */
    public static Path saveCsv(Table table, Path dir, String name) {
        Path file = dir.resolve(name + ".csv");
        try {
            Files.createDirectories(dir);
            table.write().csv(file.toFile());
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    private Optional<Path> warn(String message) {
        warnings.add(message);
        LOG.log(System.Logger.Level.WARNING, message);
        return Optional.empty();
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp profile is harmless
        }
    }
}
