package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a user's shell runs it (a fresh JVM, {@code Main.main}, stdout and stderr pipes): no library
 * logging, and progress on a pipe in whole lines without carriage returns.
 */
class QuietOutputTest {

    record Process(int code, String out, String err) {}

    static Process main(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        File out = dir.resolve("stdout").toFile(), err = dir.resolve("stderr").toFile();
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
        pb.environment().remove(Logging.ENV);
        java.lang.Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "cramlab " + String.join(" ", args) + " did not finish");
        return new Process(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    @Test
    void cramPrintsItsResultAndProgressLinesOnly(@TempDir Path dir) throws Exception {
        Process p = main(dir, "cram", "--text", "Hello there", "--length", "4", "--steps", "5");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().startsWith("model "), p.out());
        assertFalse(p.err().contains("\r"), p.err());
        for (String line : p.err().lines().toList()) {
            assertTrue(line.startsWith("step "), "not a progress line: " + line + "\n" + p.err());
        }
    }

    @Test
    void gpuOnTheCpuBuildIsAFewLinesAndFails(@TempDir Path dir) throws Exception {
        Process p = main(dir, "cram", "--text", "Hello there", "--length", "4", "--steps", "5", "--device", "gpu");
        assertEquals(2, p.code(), p.err());
        assertTrue(p.err().lines().count() <= 3, p.err());
        assertTrue(p.err().contains("use --device cpu"), p.err());
        assertEquals("", p.out());
    }

    @Test
    void verboseShowsTheLibraryLogging(@TempDir Path dir) throws Exception {
        Process p = main(dir, "cram", "--verbose", "--text", "Hi", "--steps", "1", "--no-greedy");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.err().contains("INFO "), p.err());
    }

    @Test
    void aStagedCapacityOnAPipeHasNoCarriageReturnsAndNoNaN(@TempDir Path dir) throws Exception {
        Path model = CapacityCommandTest.modelWithTokenizer(dir);
        Path texts = Files.writeString(dir.resolve("t.txt"), "QZXJ KWVQ 2345678909 0987654322\nzqxj QZXJ 5555 6666 7777\n");
        Process p = main(dir, "capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths", "2,4",
                "--strategy", "warm", "--stage-steps", "3", "--no-greedy", "--out", dir.resolve("cap").toString());
        assertEquals(0, p.code(), p.err());
        for (String s : List.of(p.out(), p.err())) {
            assertFalse(s.contains("\r"), s);
            assertFalse(s.contains("NaN"), s);
        }
        assertTrue(p.out().contains("token gain: not measured"), p.out());
        assertTrue(p.err().lines().noneMatch(l -> l.contains("WARN") || l.contains("INFO")), p.err());
    }
}
