package org.cramlab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.core.Progress;
import org.junit.jupiter.api.Test;

/** The notebook renderer of {@link Progress}. */
class NotebookProgressTest {

    @Test
    void htmlEscapesTheLine() {
        assertTrue(NotebookProgress.html(new Progress.State("x", 1, 2, "a<b", Duration.ZERO)).contains("a&lt;b"));
    }

    @Test
    void notebookSinkDisplaysOnceThenUpdatesTheSameId() {
        List<String> displayed = new ArrayList<>();
        List<String> updates = new ArrayList<>();
        Progress.Sink sink = NotebookProgress.sink(html -> {
            displayed.add(html);
            return "id-1";
        }, (id, html) -> updates.add(id + " " + html));
        long[] now = {0};
        try (Progress p = Progress.start("cram", 3, sink, () -> now[0])) {
            now[0] = 10_000_000_000L;
            p.working("text-1");
            p.advance();
            now[0] = 20_000_000_000L;
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
}
