package org.cramlab.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * A run folder's {@code report/} subfolder, and HTML for showing the same things in a notebook: each
 * call saves a table as CSV or a figure as HTML + PNG, and returns HTML to pass to IJava's
 * {@code display(html, "text/html")}.
 *
 * <p>plotly.js (3.5 MB) is inlined into the first figure shown by this JVM only; later figures wait for
 * it on the page. Call {@link #inlinePlotlyAgain()} if that first output was cleared.
 */
public final class Report {
    private static volatile boolean plotlyShown;
    private final Path dir;
    private final FigureFiles files;

    private Report(Path dir, FigureFiles files) {
        this.dir = dir;
        this.files = files;
    }

    /** Saves into {@code <runFolder>/report}, PNGs via the default Chromium. */
    public static Report in(Path runFolder) {
        return new Report(runFolder.resolve("report"), FigureFiles.create());
    }

    /** The folder files go to. */
    public Path dir() {
        return dir;
    }

    /** Saves {@code <name>.csv} and returns the table as HTML. */
    public String table(String name, Table table) {
        FigureFiles.saveCsv(table, dir, name);
        return Html.table(table);
    }

    /**
     * Saves {@code <name>.html} and {@code <name>.png} and returns the figure as a notebook HTML fragment
     * with that PNG inside as its static image (no second rendering).
     */
    public String figure(String name, Figure figure) {
        byte[] png = null;
        for (Path saved : files.save(figure, name, dir, name)) {
            if (saved.getFileName().toString().endsWith(".png")) {
                try {
                    png = Files.readAllBytes(saved);
                } catch (IOException e) {
                    png = null; // the interactive plot still shows; only the static image is missing
                }
            }
        }
        return fragment(figure, png);
    }

    /** The figure as notebook HTML, plotly inlined only the first time in this JVM. */
    public static String fragment(Figure figure) {
        return fragment(figure, null);
    }

    /** {@link #fragment(Figure)} with a static image ({@code png} may be null). */
    public static String fragment(Figure figure, byte[] png) {
        boolean include = !plotlyShown;
        plotlyShown = true;
        return Html.figureFragment(figure, include, png);
    }

    /** Inline plotly.js again with the next figure. */
    public static void inlinePlotlyAgain() {
        plotlyShown = false;
    }

    /** PNG export warnings so far (Chromium missing or failing). */
    public java.util.List<String> warnings() {
        return files.warnings();
    }
}
