package org.cramlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobsTest {

    @Test
    void expandsStarQuestionAndDoubleStarSorted(@TempDir Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib/sub"));
        Path b = Files.writeString(dir.resolve("lib/b.jar"), "");
        Path a = Files.writeString(dir.resolve("lib/a.jar"), "");
        Files.writeString(dir.resolve("lib/notes.txt"), "");
        Path deep = Files.writeString(lib.resolve("c.jar"), "");

        assertEquals(List.of(a, b), Globs.expand(dir, "lib/*.jar"));
        assertEquals(List.of(a), Globs.expand(dir, "lib/?.jar").subList(0, 1));
        assertEquals(List.of(a, b, deep), Globs.expand(dir, "lib/**.jar"));
        assertEquals(List.of(a, b, dir.resolve("lib/notes.txt")), Globs.expand(dir, "lib/*"));
        assertEquals(List.of(a, b), Globs.expand(Path.of("/"), dir + "/lib/*.jar"));
        assertTrue(Globs.expand(dir, "nothing/*.jar").isEmpty());
    }

    @Test
    void plainPathMustExist(@TempDir Path dir) throws IOException {
        Path a = Files.writeString(dir.resolve("a.jar"), "");
        assertEquals(List.of(a), Globs.expand(dir, "a.jar"));
        IOException e = assertThrows(IOException.class, () -> Globs.expand(dir, "missing.jar"));
        assertTrue(e.getMessage().contains("missing.jar"), e.getMessage());
    }
}
