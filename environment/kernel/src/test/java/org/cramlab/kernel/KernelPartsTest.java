package org.cramlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.common.Image;
import io.github.spencerpark.jupyter.kernel.display.common.Text;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.LinePlot;
import tech.tablesaw.plotly.components.Figure;

/** Display rendering, error formatting, settings parsing and the Maven resolver. */
class KernelPartsTest {

    private static Renderer renderer(AtomicBoolean plotlySent) {
        Renderer r = new Renderer();
        Image.registerAll(r);
        Text.registerAll(r);
        Renderers.register(r, KernelPartsTest.class.getClassLoader(), plotlySent);
        return r;
    }

    @Test
    void tablesRenderAsHtmlAndOnlyTheFirstFigureCarriesPlotly() {
        AtomicBoolean sent = new AtomicBoolean();
        Renderer r = renderer(sent);
        Table t = Table.create("tbl", IntColumn.create("n", 1, 2, 3));
        DisplayData table = r.render(t);
        assertEquals("<table data-name=\"tbl\" data-rows=\"3\"></table>", table.getData(MIMEType.TEXT_HTML));
        assertTrue(table.hasDataForType(MIMEType.TEXT_PLAIN), "text fallback for plain frontends");

        Figure fig = LinePlot.create("p", t, "n", "n");
        DisplayData first = PlainText.fit(r.render(fig));
        assertTrue(((String) first.getData(MIMEType.TEXT_HTML)).contains("<script>PLOTLY</script><img src=\"data:image/png;base64,"));
        assertEquals("Figure: stand-in", first.getData(MIMEType.TEXT_PLAIN));
        String second = (String) r.render(fig).getData(MIMEType.TEXT_HTML);
        assertFalse(second.contains("PLOTLY"), second);
        assertTrue(second.contains("<img src=\"data:image/png;base64,"), second);
        assertTrue(sent.get());
    }

    @Test
    void imagesRenderAsPngAndStringsAsTheRequestedType() throws Exception {
        Renderer r = renderer(new AtomicBoolean());
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        String png = (String) r.render(img).getData(MIMEType.IMAGE_PNG);
        byte[] bytes = Base64.getDecoder().decode(png.replaceAll("\\s", ""));
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals("PNG", new String(bytes, 1, 3, "US-ASCII"));

        DisplayData html = r.renderAs("<b>x</b>", "text/html");
        assertEquals("<b>x</b>", html.getData(MIMEType.TEXT_HTML));
        DisplayData md = r.renderAs("**x**", "text/markdown");
        assertEquals("**x**", md.getData(MIMEType.TEXT_MARKDOWN));
        assertFalse(md.hasDataForType(MIMEType.TEXT_HTML));
    }

    @Test
    void errorPointsAtTheCellLine() {
        CellError e = new CellError(CellError.Kind.EXCEPTION, 2, "java.lang.RuntimeException: x", List.of("detail"));
        assertEquals("Exception at cell line 2: java.lang.RuntimeException: x", e.getMessage());
        assertEquals(List.of(e.getMessage(), "detail"), e.traceback());
        assertEquals(List.of("   2 | b = 1;", "     |   ^"), CellError.pointAt("a\nb = 1;", 2, 2));
        assertEquals(List.of(), CellError.pointAt("a", 5, 0));
        assertFalse(new CellError(CellError.Kind.MAGIC, 0, "m", List.of()).getMessage().contains("line"));
    }

    @Test
    void timeoutSettingFollowsIJava() {
        assertEquals(-1, Main.parseTimeout(null));
        assertEquals(-1, Main.parseTimeout("-1"));
        assertEquals(1500, Main.parseTimeout("1500"));
        assertEquals(30_000, Main.parseTimeout("30 SECONDS"));
        assertEquals(120_000, Main.parseTimeout("2 minutes"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.parseTimeout("soon"));
        assertTrue(e.getMessage().contains("soon"));
        assertThrows(IllegalArgumentException.class, () -> Main.parseTimeout("3 FORTNIGHTS"));
    }

    @Test
    void startupScriptsFromGlobsSkippingMissing(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.jsh"), "int a = 1;");
        Path b = Files.writeString(dir.resolve("b.jsh"), "int b = 1;");
        assertEquals(List.of(a, b), Main.startupScripts(dir + "/*.jsh:" + dir + "/missing.jsh"));
        assertEquals(List.of(), Main.startupScripts(""));
    }

    @Test
    void pomFragmentsAreWrappedAndPropertiesInterpolated() {
        assertTrue(MavenResolver.wrapFragment("<dependency/>").contains("<dependencies><dependency/></dependencies>"));
        assertEquals("<project>x</project>", MavenResolver.wrapFragment(" <project>x</project> "));
        Properties p = new Properties();
        p.setProperty("v", "1.2");
        assertEquals("a-1.2-${unknown.prop}", MavenResolver.interpolate("a-${v}-${unknown.prop}", p));
    }

    @Test
    void mavenResolvesTransitiveDependenciesFromTheLocalRepository() throws Exception {
        // gson 2.13.2 and its one dependency are in ~/.m2 (this build uses them), so no network is needed.
        List<Path> jars = new MavenResolver().resolve(List.of("com.google.code.gson:gson:2.13.2"));
        assertTrue(jars.stream().anyMatch(j -> j.getFileName().toString().equals("gson-2.13.2.jar")), jars.toString());
        assertTrue(jars.stream().anyMatch(j -> j.getFileName().toString().startsWith("error_prone_annotations")), jars.toString());
        assertTrue(jars.stream().allMatch(Files::isRegularFile));

        List<Path> fromPom = new MavenResolver().resolvePom(
                "<properties><g.v>2.13.2</g.v></properties><dependencies><dependency><groupId>com.google.code.gson</groupId>"
                        + "<artifactId>gson</artifactId><version>${g.v}</version></dependency></dependencies>");
        assertEquals(jars, fromPom);

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new MavenResolver().resolve(List.of("nocolons")));
        assertTrue(bad.getMessage().contains("nocolons"));
    }
}
