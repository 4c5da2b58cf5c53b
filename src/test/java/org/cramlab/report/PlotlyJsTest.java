package org.cramlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotlyJsTest {

    @Test
    void propertyThenEnvThenNpmFolderInAnAncestor(@TempDir Path root) throws Exception {
        Path npm = root.resolve(PlotlyJs.NPM_PATH);
        Files.createDirectories(npm.getParent());
        Files.writeString(npm, "//");
        Path deep = Files.createDirectories(root.resolve("notebooks/sub"));
        Path other = Files.writeString(root.resolve("other.js"), "//");

        assertEquals(npm, PlotlyJs.locate(null, null, deep));
        assertEquals(other, PlotlyJs.locate(null, other.toString(), deep));
        assertEquals(other, PlotlyJs.locate(other.toString(), "/nonexistent", deep));
    }

    @Test
    void missingFileSaysToRunSetup(@TempDir Path empty) {
        ReportException e = assertThrows(ReportException.class, () -> PlotlyJs.locate(null, " ", empty));
        assertTrue(e.getMessage().contains("run environment/setup"), e.getMessage());
        ReportException bad = assertThrows(ReportException.class,
                () -> PlotlyJs.locate(empty.resolve("nope.js").toString(), null, empty));
        assertTrue(bad.getMessage().contains("nope.js"), bad.getMessage());
    }
}
