package org.cramlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
    /** A fake clock advanced by hand: no timing in tests. */
    private long now = 0;

    @Test
    void etaIsMeanTimePerDoneRunTimesRunsLeft() {
        Progress.State s = new Progress.State("x", 2, 10, "", Duration.ofSeconds(20));
        assertEquals(Duration.ofSeconds(80), s.eta());
        assertNull(new Progress.State("x", 0, 10, "", Duration.ofSeconds(5)).eta());
        assertEquals("x 2/10 (20%) | elapsed 0:20 | ETA 1:20", s.line());
        assertEquals("x 1/2 (50%) | a<b | elapsed 1:01:05 | ETA 1:01:05",
                new Progress.State("x", 1, 2, "a<b", Duration.ofSeconds(3665)).line());
    }

    @Test
    void inPlaceSinkRewritesOneLineAndEndsItOnClose() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter out = new PrintWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Progress p = Progress.start("run", 2, Progress.inPlaceSink(out), () -> now);
        p.advance();
        p.close();
        p.close();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("\rrun 0/2 (0%) | elapsed 0:00 | ETA ?\rrun 1/2 (50%) | elapsed 0:00 | ETA 0:00"
                + "\rrun 1/2 (50%) | elapsed 0:00 | ETA 0:00\n", text);
    }

    @Test
    void onAPipeWholeLinesAtMostEveryFewSecondsAndTheFinalOne() {
        StringWriter text = new StringWriter();
        long[] clock = {0};
        Progress p = Progress.start("run", 100, Progress.lineSink(new PrintWriter(text)), () -> clock[0]);
        for (int i = 0; i < 100; i++) { // 100 units, 0.2 s apart: 20 s in all
            clock[0] += 200_000_000L;
            p.advance();
        }
        p.close();
        List<String> lines = text.toString().lines().toList();
        assertFalse(text.toString().contains("\r"), text.toString());
        // the first state, one line per 5 s (at 5, 10, 15, 20 s) and the final one
        assertEquals(6, lines.size(), text.toString());
        assertEquals("run 0/100 (0%) | elapsed 0:00 | ETA ?", lines.get(0));
        assertEquals("run 25/100 (25%) | elapsed 0:05 | ETA 0:15", lines.get(1));
        assertEquals("run 100/100 (100%) | elapsed 0:20 | ETA 0:00", lines.get(5));
        assertTrue(text.toString().endsWith("\n"));
    }

    @Test
    void advanceStopsAtTotalAndNegativeTotalIsRejected() {
        Progress p = Progress.start("r", 1, (s, last) -> { }, () -> now);
        p.advance();
        p.advance();
        assertEquals(1, p.state().done());
        assertThrows(IllegalArgumentException.class, () -> Progress.start("r", -1, (s, last) -> { }, () -> now));
    }
    @Test
    void throttledItemsAreShownAtMostFourTimesASecondAndBuiltOnlyThen() {
        java.util.List<String> shown = new java.util.ArrayList<>();
        int[] built = {0};
        Progress p = Progress.start("r", 1, (s, last) -> shown.add(s.current()), () -> now);
        shown.clear();
        for (int step = 0; step < 10; step++) { // a step every 100 ms: shown at 0, 300, 600, 900 ms
            int k = step;
            p.workingThrottled(() -> {
                built[0]++;
                return "step " + k;
            });
            now += 100_000_000L;
        }
        assertEquals(java.util.List.of("step 0", "step 3", "step 6", "step 9"), shown);
        assertEquals(4, built[0], "items not shown are never built");
    }
}
