package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.OutputFolder;
import org.cramlab.run.Profile;
import org.cramlab.run.OutputFolderTest;

/** Where run folders go (the notebook's own checkout, or CRAMLAB_OUT) and the up-front writability check. */
class OutputFolderTest {

    @Test
    void runFolderFollowsTheCheckoutOfTheWorkingDirectoryNotAPinnedRoot(@TempDir Path tmp) throws Exception {
        Path cloneB = tmp.resolve("cloneB");
        Files.createDirectories(cloneB.resolve("notebooks"));
        Files.writeString(cloneB.resolve("pom.xml"), "<project/>");
        // a kernel started in clone B's notebooks/ while CRAMLAB_ROOT names clone A
        Map<String, String> env = Map.of("CRAMLAB_ROOT", tmp.resolve("cloneA").toString());
        assertEquals(cloneB.resolve("out/runs/nb"), OutputFolder.resolve(env, cloneB.resolve("notebooks"), "nb"));
        // CRAMLAB_OUT wins over everything
        assertEquals(Path.of("/x/nb"), OutputFolder.resolve(Map.of("CRAMLAB_OUT", "/x", "CRAMLAB_ROOT", "/r"),
                cloneB.resolve("notebooks"), "nb"));
        // outside any checkout: CRAMLAB_ROOT, else the working directory
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        assertEquals(Path.of("/r/out/runs/nb"), OutputFolder.resolve(Map.of("CRAMLAB_ROOT", "/r"), elsewhere, "nb"));
        assertEquals(elsewhere.resolve("out/runs/nb"), OutputFolder.resolve(Map.of(), elsewhere, "nb"));
    }

    @Test
    void unwritableCramlabOutFailsUpFrontNamingTheFolder(@TempDir Path tmp) throws Exception {
        ExperimentException proc = assertThrows(ExperimentException.class,
                () -> Profile.outDir(Map.of("CRAMLAB_OUT", "/proc/nope"), "02-capacity"));
        assertTrue(proc.getMessage().contains("/proc/nope/02-capacity") && proc.getMessage().contains("CRAMLAB_OUT")
                && proc.getMessage().contains("not writable"), proc.getMessage());

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        ExperimentException notDir = assertThrows(ExperimentException.class,
                () -> Profile.outDir(Map.of("CRAMLAB_OUT", file.toString()), "nb"));
        assertTrue(notDir.getMessage().contains(file.resolve("nb").toString()), notDir.getMessage());

        Path ok = Profile.outDir(Map.of("CRAMLAB_OUT", tmp.resolve("runs").toString()), "nb");
        assertTrue(Files.isDirectory(ok), "created: " + ok);
        try (var files = Files.list(ok)) {
            assertEquals(0, files.count(), "the write probe is removed");
        }
    }
}
