package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.text.BookCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.TextResolver;
import org.cramlab.run.TextSpec;
import org.cramlab.run.Texts;
import org.cramlab.run.TextsTest;

class TextsTest {
    static final Path TOKENIZER = Path.of("src/test/resources/golden/tokenizers/llama_style");

    static BookCorpus corpus() {
        String para = "The quick brown fox jumps over the lazy dog. It was a bright cold day in April. The clocks were striking.";
        List<String> paragraphs = java.util.Collections.nCopies(60, para);
        return BookCorpus.of(Map.of("one", paragraphs, "two", paragraphs));
    }

    @Test
    void bookTextsAreTruncatedPrefixesAcrossLengthsAndRandomTextsAreSeeded(@TempDir Path dir) throws Exception {
        Path words = dir.resolve("words.txt");
        Files.writeString(words, "alpha\nbeta\ngamma\ndelta\nepsilon\n");
        Texts texts = new Texts(words, TextsTest::corpus);
        try (TextTokenizer tok = TextTokenizer.load(TOKENIZER)) {
            TextSpec book = new TextSpec("book", null, 1, 7);
            int[] short8 = texts.resolve(book, 8, tok).tokenIds();
            int[] long16 = texts.resolve(book, 16, tok).tokenIds();
            assertEquals(8, short8.length);
            assertEquals(16, long16.length);
            assertArrayEquals(short8, Arrays.copyOf(long16, 8), "the same text, truncated to each length");
            assertEquals(tok.bosId(), short8[0], "special tokens count towards L");

            TextSpec r0 = new TextSpec("random", null, 0, 7), r1 = new TextSpec("random", null, 1, 7);
            TextResolver.Resolved a = texts.resolve(r0, 12, tok);
            assertEquals(12, a.tokenIds().length);
            assertArrayEquals(a.tokenIds(), texts.resolve(r0, 12, tok).tokenIds(), "seeded: same spec, same text");
            assertFalse(Arrays.equals(a.tokenIds(), texts.resolve(r1, 12, tok).tokenIds()));
            assertTrue(a.text().matches("[a-z ]+"), a.text());

            ExperimentException e = assertThrows(ExperimentException.class,
                    () -> texts.resolve(new TextSpec("random", dir.resolve("none.txt").toString(), 0, 1), 8, tok));
            assertTrue(e.getMessage().contains("none.txt"));
            assertThrows(ExperimentException.class, () -> texts.resolve(new TextSpec("poems", null, 0, 1), 8, tok));
        }
    }
}
