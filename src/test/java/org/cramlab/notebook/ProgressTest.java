package org.cramlab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
        assertTrue(new Progress.State("x", 1, 2, "a<b", Duration.ZERO).html().contains("a&lt;b"));
    }

    @Test
    void notebookSinkDisplaysOnceThenUpdatesTheSameId() {
        List<String> displayed = new ArrayList<>();
        List<String> updates = new ArrayList<>();
        Progress.Sink sink = Progress.notebookSink(html -> {
            displayed.add(html);
            return "id-1";
        }, (id, html) -> updates.add(id + " " + html));
        try (Progress p = Progress.start("cram", 3, sink, () -> now)) {
            now = 10_000_000_000L;
            p.working("text-1");
            p.advance();
            now = 20_000_000_000L;
            p.advance();
        }
        assertEquals(1, displayed.size());
        assertTrue(displayed.get(0).contains("cram 0/3 (0%)"), displayed.get(0));
        assertEquals(4, updates.size());
        assertTrue(updates.get(0).startsWith("id-1 ") && updates.get(0).contains("text-1"), updates.get(0));
        assertTrue(updates.get(1).contains("1/3") && updates.get(1).contains("ETA 0:20"), updates.get(1));
        assertTrue(updates.get(3).contains("2/3") && updates.get(3).contains("elapsed 0:20")
                && updates.get(3).contains("ETA 0:10"), updates.get(3));
    }

    @Test
    void consoleSinkRewritesOneLineAndEndsItOnClose() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = Progress.start("run", 2, Progress.consoleSink(out), () -> now);
        p.advance();
        p.close();
        p.close();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("\rrun 0/2 (0%) | elapsed 0:00 | ETA ?\rrun 1/2 (50%) | elapsed 0:00 | ETA 0:00"
                + "\rrun 1/2 (50%) | elapsed 0:00 | ETA 0:00\n", text);
    }

    @Test
    void advanceStopsAtTotalAndNegativeTotalIsRejected() {
        Progress p = Progress.start("r", 1, (s, last) -> { }, () -> now);
        p.advance();
        p.advance();
        assertEquals(1, p.state().done());
        assertThrows(NotebookException.class, () -> Progress.start("r", -1, (s, last) -> { }, () -> now));
    }
}
