package org.cramlab.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * HTML for Tablesaw tables and figures, shared by the Java kernel (rich cell output) and by code
 * that saves plots to files. Figures are drawn by plotly.js inlined from {@link PlotlyJs}, so they
 * work offline.
 */
public final class Html {
    /** Rows shown by {@link #table(Table)} before the rest is elided. */
    public static final int DEFAULT_MAX_ROWS = 50;

    private Html() {}

    /** The table as an HTML {@code <table>} with at most {@value #DEFAULT_MAX_ROWS} rows. */
    public static String table(Table table) {
        return table(table, DEFAULT_MAX_ROWS);
    }

    /**
     * The table as an HTML {@code <table>}: a caption with its name and size, a header row of
     * column names, then rows; past {@code maxRows} the first and last rows are kept with a marker row.
     */
    public static String table(Table table, int maxRows) {
        if (maxRows < 2) {
            throw new ReportException("maxRows must be at least 2, got " + maxRows);
        }
        int rows = table.rowCount();
        int cols = table.columnCount();
        StringBuilder sb = new StringBuilder("<table class=\"cramlab-table\">\n<caption>")
                .append(escape(table.name() == null ? "" : table.name()))
                .append(" (").append(rows).append(" rows \u00d7 ").append(cols).append(" columns)</caption>\n<thead><tr>");
        for (String name : table.columnNames()) {
            sb.append("<th>").append(escape(name)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        int head = rows <= maxRows ? rows : maxRows - maxRows / 5;
        int tailStart = rows <= maxRows ? rows : rows - maxRows / 5;
        for (int r = 0; r < rows; r++) {
            if (r == head && head < tailStart) {
                sb.append("<tr><td colspan=\"").append(cols).append("\">\u2026 ")
                        .append(tailStart - head).append(" more rows \u2026</td></tr>\n");
                r = tailStart - 1;
                continue;
            }
            sb.append("<tr>");
            for (int c = 0; c < cols; c++) {
                sb.append("<td>").append(escape(table.column(c).getString(r))).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</tbody>\n</table>").toString();
    }

    /**
     * The figure as an HTML fragment for a notebook output: a div and a script that draws into it
     * once {@code window.Plotly} exists. With {@code includePlotly} the library is inlined first; a
     * kernel does that for the first figure of a session only, since later outputs share the page.
     */
    public static String figureFragment(Figure figure, boolean includePlotly) {
        return figureFragment(figure, includePlotly, null);
    }

    /**
     * {@link #figureFragment(Figure, boolean)} with a static image: where no script runs (a static
     * notebook viewer, {@code nbconvert --to markdown}, HTML with scripts off) the PNG shows; where
     * scripts run the drawing script removes it and plots interactively. Viewers pick
     * {@code text/html} over an {@code image/png} beside it, so the image has to be inside the HTML.
     * {@code png} may be null (no image). The outer element's {@code data-text-plain} is
     * {@link #describe(Figure)}, which a kernel can use as the output's one-line plain text.
     */
    public static String figureFragment(Figure figure, boolean includePlotly, byte[] png) {
        // Tablesaw also uses the id in a JavaScript variable name: letters, digits and '_' only.
        String id = "cramlab_plot_" + UUID.randomUUID().toString().replace("-", "");
        String drawing = stripScriptTags(figure.asJavascript(id));
        String description = escape(describe(figure));
        String image = png == null ? "" : "<img id=\"" + id + "_static\" alt=\"" + description
                + "\" style=\"max-width:100%\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\">\n";
        // Retry until plotly is there, so output order on a reloaded page does not matter.
        return "<div class=\"cramlab-figure\" data-text-plain=\"" + description + "\">\n"
                + (includePlotly ? plotlyScript() + "\n" : "")
                + image
                + figure.divString(id) + "\n"
                + "<script>(function draw() {\n"
                + "  if (!window.Plotly) { setTimeout(draw, 50); return; }\n"
                + "  var still = document.getElementById('" + id + "_static'); if (still) { still.remove(); }\n"
                + drawing + "\n})();</script>\n</div>";
    }

    /**
     * {@link #figureFragment(Figure, boolean, byte[])} with a PNG rendered now by headless Chromium
     * ({@link FigureFiles}, about a second); without Chromium the fragment has no static image.
     */
    public static String figureFragmentWithImage(Figure figure, boolean includePlotly) {
        return figureFragment(figure, includePlotly, FigureFiles.create().pngBytes(figure).orElse(null));
    }

    /** One line saying what the figure is: {@code Figure: <title> (<width> x <height> px, <n> traces)}. */
    public static String describe(Figure figure) {
        var layout = figure.getLayout();
        String title = layout == null || layout.getTitle() == null || layout.getTitle().isBlank() ? "untitled" : layout.getTitle().strip();
        String js = layout == null ? "" : layout.asJavascript();
        int traces = figure.getTraces() == null ? 0 : figure.getTraces().length;
        return "Figure: " + title.replaceAll("\\s+", " ") + " (" + number(js, "width", 700) + " \u00d7 " + number(js, "height", 450)
                + " px, " + traces + (traces == 1 ? " trace)" : " traces)");
    }

    /** One line saying what the table is: {@code Table: <name> (<rows> rows x <columns> columns)}. */
    public static String describe(Table table) {
        String name = table.name() == null || table.name().isBlank() ? "unnamed" : table.name().strip();
        return "Table: " + name + " (" + table.rowCount() + " rows \u00d7 " + table.columnCount() + " columns)";
    }

    /** The integer after {@code key:} in Tablesaw's layout JavaScript, else {@code otherwise} (its default). */
    private static int number(String js, String key, int otherwise) {
        Matcher m = Pattern.compile("\\b" + key + "\\s*:\\s*(\\d+)").matcher(js);
        return m.find() ? Integer.parseInt(m.group(1)) : otherwise;
    }

    /** A complete, self-contained HTML page showing the figure (plotly.js inlined). */
    public static String figurePage(Figure figure, String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\">\n<title>" + escape(title)
                + "</title>\n</head>\n<body>\n" + figureFragment(figure, true) + "\n</body>\n</html>\n";
    }

    /** Writes {@link #figurePage} to {@code file}, creating parent folders. */
    public static Path save(Figure figure, String title, Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            return Files.writeString(file, figurePage(figure, title), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ReportException("cannot write figure HTML to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * plotly.js inlined in a {@code <script>}. The Debian notebook page has require.js; with an AMD
     * {@code define} present plotly registers as a module instead of setting {@code window.Plotly}
     * and plots stay blank, so {@code define} is hidden while the library runs.
     */
    public static String plotlyScript() {
        String js = PlotlyJs.source().replace("</script", "<\\/script");
        return "<script>(function () {\n"
                + "var savedDefine = window.define; window.define = undefined;\n"
                + "try {\n" + js + "\n} finally { window.define = savedDefine; }\n"
                + "}).call(window);</script>";
    }

    /** Escapes {@code & < > " '} for HTML text and attribute values. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static String stripScriptTags(String js) {
        String s = js.strip();
        if (s.startsWith("<script>")) {
            s = s.substring("<script>".length());
        }
        if (s.endsWith("</script>")) {
            s = s.substring(0, s.length() - "</script>".length());
        }
        return s;
    }
}
