package org.cramlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.LinePlot;
import tech.tablesaw.plotly.components.Figure;

class HtmlTest {

    private static Table numbers(int n) {
        int[] k = new int[n];
        for (int i = 0; i < n; i++) {
            k[i] = i;
        }
        return Table.create("numbers", IntColumn.create("k", k));
    }

    @Test
    void tableHasHeaderEscapedCellsAndEveryRowWhenSmall() {
        Table t = Table.create("t <1>",
                StringColumn.create("name", "a&b", "<c>"),
                DoubleColumn.create("x", 1.5, 2.0));
        String html = Html.table(t);
        assertTrue(html.contains("<caption>t &lt;1&gt; (2 rows \u00d7 2 columns)</caption>"), html);
        assertTrue(html.contains("<th>name</th><th>x</th>"), html);
        assertTrue(html.contains("<tr><td>a&amp;b</td><td>1.5</td></tr>"), html);
        assertTrue(html.contains("<td>&lt;c&gt;</td>"), html);
        assertEquals(2, html.split("<tr><td>", -1).length - 1);
    }

    @Test
    void longTableKeepsHeadAndTailAndSaysHowManyAreElided() {
        String html = Html.table(numbers(100), 10);
        // 10 rows shown: 8 from the head, 2 from the tail, 90 elided
        assertTrue(html.contains("<td>7</td>") && !html.contains("<td>8</td>"), html);
        assertTrue(html.contains("90 more rows"), html);
        assertTrue(html.contains("<td>98</td>") && html.contains("<td>99</td>") && !html.contains("<td>97</td>"), html);
    }

    @Test
    void tooSmallRowLimitIsRejectedWithTheValue() {
        ReportException e = assertThrows(ReportException.class, () -> Html.table(numbers(3), 1));
        assertTrue(e.getMessage().contains("got 1"), e.getMessage());
    }

    @Test
    void descriptionsAreOneLine() {
        Table t = Table.create("squares", IntColumn.create("x", 1, 2, 3), IntColumn.create("y", 1, 4, 9));
        assertEquals("Figure: sq (800 \u00d7 600 px, 1 trace)", Html.describe(LinePlot.create("sq", t, "x", "y")));
        assertEquals("Table: squares (3 rows \u00d7 2 columns)", Html.describe(t));
        assertEquals("Figure: untitled (700 \u00d7 450 px, 1 trace)", Html.describe(new Figure(
                tech.tablesaw.plotly.traces.ScatterTrace.builder(new double[] {1}, new double[] {2}).build())));
    }

    @Test
    void figurePageInlinesPlotlyHidingAmdDefineAndDrawsWhenReady(@TempDir Path dir) throws Exception {
        Path js = Files.writeString(dir.resolve("plotly.min.js"), "window.Plotly = {fake: '</script>'};");
        System.setProperty(PlotlyJs.PROPERTY, js.toString());
        try {
            Figure fig = LinePlot.create("squares", Table.create("s", IntColumn.create("x", 1, 2, 3),
                    IntColumn.create("y", 1, 4, 9)), "x", "y");
            Path out = Html.save(fig, "My <plot>", dir.resolve("sub/plot.html"));
            String page = Files.readString(out);
            assertTrue(page.contains("<title>My &lt;plot&gt;</title>"));
            assertTrue(page.contains("window.define = undefined"), "AMD define must be hidden");
            assertTrue(page.contains("{fake: '<\\/script>'}"), "inlined source must not close the script tag");
            assertFalse(page.contains("cdn.plot.ly"), "no CDN");
            assertTrue(page.contains("Plotly.newPlot"), page);
            java.util.regex.Matcher target = java.util.regex.Pattern.compile("var (target_\\S+) =").matcher(page);
            assertTrue(target.find(), "Tablesaw's target variable");
            assertTrue(target.group(1).matches("[A-Za-z_][A-Za-z0-9_]*"), "not a JS identifier: " + target.group(1));
            assertTrue(page.indexOf("window.Plotly = {fake") < page.indexOf("Plotly.newPlot"));

            String later = Html.figureFragment(fig, false);
            assertFalse(later.contains("fake"), "library only when asked for");
            assertTrue(later.contains("if (!window.Plotly) { setTimeout(draw, 50); return; }"));
            assertFalse(later.contains("<img"), "no static image without a PNG");

            String withImage = Html.figureFragment(fig, false, new byte[] {1, 2, 3});
            Matcher img = Pattern.compile("<img id=\"(cramlab_plot_\\w+)_static\" alt=\"([^\"]*)\"[^>]*src=\"data:image/png;base64,AQID\">")
                    .matcher(withImage);
            assertTrue(img.find(), withImage);
            assertTrue(withImage.contains("document.getElementById('" + img.group(1) + "_static'); if (still) { still.remove(); }"),
                    "the script replaces the static image by the interactive plot");
            assertTrue(withImage.indexOf(img.group(0)) < withImage.indexOf("Plotly.newPlot"));
            assertEquals(Html.escape(Html.describe(fig)), img.group(2));
            assertTrue(withImage.startsWith("<div class=\"cramlab-figure\" data-text-plain=\"" + Html.escape(Html.describe(fig)) + "\">"));
        } finally {
            System.clearProperty(PlotlyJs.PROPERTY);
        }
    }
}
