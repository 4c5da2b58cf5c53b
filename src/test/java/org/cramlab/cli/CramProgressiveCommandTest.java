package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cramlab.cram.Memory;
import org.cramlab.cram.ProgressiveRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cram --progressive} on the tiny golden Llama: stages, horizon, JSON record, bad --grow. */
class CramProgressiveCommandTest {

    static final String IDS = "1,77,150,23,9,40";

    @Test
    void progressiveStagesAndJson() {
        CramCommandTest.Outcome o = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150,23,9,40",
                "--progressive", "--grow", "2", "--steps", "40", "--mem", "2", "--json");
        assertEquals(0, o.code(), o.err());
        ProgressiveRecord r = ProgressiveRecord.fromJson(o.out().trim());
        assertEquals("grow-2", r.policy());
        assertEquals("greedy", r.criterion());
        assertEquals(2, r.stages().get(0).length());
        for (int i = 1; i < r.stages().size(); i++) {
            assertEquals(Math.min(6, r.stages().get(i - 1).length() + 2), r.stages().get(i).length());
            assertTrue(r.stages().get(i - 1).passed(), "only the last stage may fail");
        }
        assertTrue(r.stages().stream().allMatch(s -> s.steps() <= 40), "--steps is the per-stage budget");

        CramCommandTest.Outcome text = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150,23",
                "--progressive", "--grow", "double", "--steps", "5");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("doubling") && text.out().contains("greedy horizon"), text.out());
    }

    /** Issue 22 item 3: --save-memory with --progressive wrote nothing and exited 0. */
    @Test
    void progressiveSavesTheLongestPassedStagesMemory(@TempDir Path dir) {
        Path saved = dir.resolve("m.safetensors");
        CramCommandTest.Outcome a = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", IDS,
                "--progressive", "--grow", "double", "--steps", "300", "--mem", "2", "--save-memory", saved.toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(Files.isRegularFile(saved), "--save-memory writes the memory");
        assertEquals(2, Memory.read(saved).k());
        assertTrue(a.out().contains("memory " + saved), a.out());
    }

    /** Issue 22 item 3: --init with --progressive took only K from the file; stage 0 started from random. */
    @Test
    void progressiveStartsFromInit(@TempDir Path dir) {
        Path init = dir.resolve("init.safetensors");
        CramCommandTest.Outcome solved = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", IDS,
                "--steps", "300", "--mem", "1", "--save-memory", init.toString());
        assertEquals(0, solved.code(), solved.err());
        // one step per stage: from random it cannot get as far as from a memory that already holds the text
        CramCommandTest.Outcome cold = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", IDS,
                "--progressive", "--grow", "double", "--steps", "1", "--mem", "1", "--json");
        CramCommandTest.Outcome warm = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", IDS,
                "--progressive", "--grow", "double", "--steps", "1", "--init", init.toString(), "--json");
        assertEquals(0, cold.code(), cold.err());
        assertEquals(0, warm.code(), warm.err());
        ProgressiveRecord rc = ProgressiveRecord.fromJson(cold.out().trim());
        ProgressiveRecord rw = ProgressiveRecord.fromJson(warm.out().trim());
        // one vector of the tiny model holds 4 of the 6 tokens (greedy); one step from random holds none
        assertTrue(rw.longestPassed() >= 4, "--init's memory passes its stages: " + warm.out());
        assertTrue(rc.longestPassed() < rw.longestPassed(), "random start, 1 step: " + cold.out());
    }

    @Test
    void badGrowAndCriterionAreNamed() {
        CramCommandTest.Outcome o = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150",
                "--progressive", "--grow", "lots");
        assertNotEquals(0, o.code());
        assertTrue(o.err().contains("--grow") && o.err().contains("lots"), o.err());
        CramCommandTest.Outcome c = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150",
                "--progressive", "--criterion", "vibes");
        assertNotEquals(0, c.code());
        assertTrue(c.err().contains("greedy or teacher-forced") && c.err().contains("vibes"), c.err());
    }
}
