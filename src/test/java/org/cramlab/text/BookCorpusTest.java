package org.cramlab.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BookCorpusTest {

    @TempDir
    Path tmp;

    @Test
    void heldOutIsTheLastTenthAndNeverOverlapsTraining() throws Exception {
        BookCorpus corpus = BookCorpus.load(TestCorpus.write(tmp.resolve("c"), 3, 200));
        assertEquals(3, corpus.books().size());
        for (Book b : corpus.books()) {
            Set<String> training = new HashSet<>(b.trainingParagraphs());
            for (String p : b.heldOutParagraphs()) {
                assertFalse(training.contains(p), "held-out paragraph also in training: " + p);
            }
            assertEquals(b.paragraphs().size(), b.trainingParagraphs().size() + b.heldOutParagraphs().size());
            double share = (double) b.heldOutText().length() / (b.heldOutText().length() + b.trainingText().length());
            // the rule cuts at a paragraph boundary at or after 90% of the characters
            assertTrue(share > 0.07 && share <= 0.10 + 1e-9, "held-out share " + share);
            // every held-out paragraph starts at or after 90% of the book; the one before starts before it
            long total = b.paragraphs().stream().mapToLong(p -> p.length() + 1).sum();
            long before = b.trainingParagraphs().stream().mapToLong(p -> p.length() + 1).sum();
            assertTrue(before >= 0.9 * total);
            String lastTraining = b.trainingParagraphs().get(b.trainingParagraphs().size() - 1);
            assertTrue(before - lastTraining.length() - 1 < 0.9 * total);
        }
        assertFalse(corpus.trainingTexts().get(0).contains(corpus.heldOutTexts().get(0)));
    }

    @Test
    void missingCorpusSaysHowToFetchIt() {
        TextException e = assertThrows(TextException.class, () -> BookCorpus.load(tmp.resolve("nothing")));
        assertTrue(e.getMessage().contains("environment/fetch-corpus"), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("nothing").toString()), e.getMessage());
    }

    @Test
    void changedBookFailsItsChecksum() throws Exception {
        Path dir = TestCorpus.write(tmp.resolve("c"), 2, 20);
        Files.writeString(dir.resolve("book1.txt"), "tampered\n");
        TextException e = assertThrows(TextException.class, () -> BookCorpus.load(dir));
        assertTrue(e.getMessage().contains("book1.txt") && e.getMessage().contains("sha256"), e.getMessage());
    }

    @Test
    void missingBookFileIsNamed() throws Exception {
        Path dir = TestCorpus.write(tmp.resolve("c"), 2, 20);
        Files.delete(dir.resolve("book0.txt"));
        TextException e = assertThrows(TextException.class, () -> BookCorpus.load(dir));
        assertTrue(e.getMessage().contains("book0.txt") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void splitRuleOnAHandMadeBook() {
        // 10 paragraphs of 9 chars (+1 separator each): 90% of 100 is reached at paragraph 9
        Book b = Book.of("b", List.of("aaaaaaaa0", "aaaaaaaa1", "aaaaaaaa2", "aaaaaaaa3", "aaaaaaaa4", "aaaaaaaa5",
                "aaaaaaaa6", "aaaaaaaa7", "aaaaaaaa8", "aaaaaaaa9"));
        assertEquals(9, b.heldOutStart());
        assertEquals("aaaaaaaa9", b.heldOutText());
    }
}
