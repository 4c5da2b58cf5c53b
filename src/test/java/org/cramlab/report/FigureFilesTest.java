package org.cramlab.report;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.traces.ScatterTrace;

class FigureFilesTest {

    @BeforeAll
    static void stubPlotly(@TempDir Path dir) throws Exception {
        // The real plotly.js comes from environment/setup; these tests only need a file to inline.
        Path js = dir.resolve("plotly.min.js");
        Files.writeString(js, "window.Plotly = {newPlot: function () {}};");
        System.setProperty("cramlab.plotly.js", js.toString());
    }

    static Figure figure() {
        return new Figure(ScatterTrace.builder(new double[] {1, 2}, new double[] {3, 4}).build());
    }

    @Test
    void withoutChromiumHtmlIsWrittenAndPngDegradesToWarning(@TempDir Path dir) {
        FigureFiles files = FigureFiles.withChromium(dir.resolve("no-such-chromium"));
        List<Path> written = files.save(figure(), "test", dir, "fig");
        assertEquals(List.of(dir.resolve("fig.html")), written);
        assertTrue(Files.isRegularFile(dir.resolve("fig.html")));
        assertFalse(Files.exists(dir.resolve("fig.png")));
        assertEquals(1, files.warnings().size());
        assertTrue(files.warnings().get(0).contains("Chromium not found"), files.warnings().get(0));
    }

    @Test
    void withChromiumPngShowsThePage(@TempDir Path dir) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium), "Debian chromium not installed (environment/setup installs it)");
        Path html = dir.resolve("red.html");
        Files.writeString(html, "<html><body style='margin:0;background:#ff0000'><div style='height:650px'></div></body></html>");
        FigureFiles files = FigureFiles.withChromium(chromium);
        Path png = files.png(html, dir.resolve("red.png")).orElseThrow(() -> new AssertionError(files.warnings()));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1000, img.getWidth());
        assertEquals(0xff0000, img.getRGB(500, 300) & 0xffffff, "the screenshot shows the page's red background");
        assertTrue(files.warnings().isEmpty());
    }

    @Test
    void pngBytesAreAPngOrEmptyWithAWarning(@TempDir Path dir) throws Exception {
        FigureFiles none = FigureFiles.withChromium(dir.resolve("no-such-chromium"));
        assertTrue(none.pngBytes(figure()).isEmpty());
        assertEquals(1, none.warnings().size());
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium), "Debian chromium not installed (environment/setup installs it)");
        FigureFiles files = FigureFiles.withChromium(chromium);
        byte[] png = files.pngBytes(figure()).orElseThrow(() -> new AssertionError(files.warnings()));
        BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(png));
        assertEquals(1000, img.getWidth());
    }

    @Test
    void csvIsWritten(@TempDir Path dir) throws Exception {
        Table t = Table.create("t", DoubleColumn.create("x", 1.5, 2.5));
        Path f = FigureFiles.saveCsv(t, dir.resolve("sub"), "summary");
        assertEquals(List.of("x", "1.5", "2.5"), Files.readAllLines(f));
    }
}
