package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cramlab.cram.ProgressiveRecord;
import org.junit.jupiter.api.Test;

/** {@code cram --progressive} on the tiny golden Llama: stages, horizon, JSON record, bad --grow. */
class CramProgressiveCommandTest {

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
