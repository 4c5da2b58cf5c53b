package org.cramlab.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.train.BpeTrainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextSetsTest {

    @TempDir
    static Path tmp;

    static BookCorpus corpus;
    static TextTokenizer tok;

    @BeforeAll
    static void setUp() throws Exception {
        corpus = BookCorpus.load(TestCorpus.write(tmp.resolve("corpus"), 3, 300));
        BpeTrainer.builder().optVocabSize(400).build().train(corpus.trainingTexts()).writeHuggingFace(tmp.resolve("tok"), 1024);
        tok = TextTokenizer.load(tmp.resolve("tok"));
    }

    @AfterAll
    static void tearDown() {
        tok.close();
    }

    static Path fixture(String name) throws Exception {
        return Path.of(TextSetsTest.class.getResource("/text/" + name).toURI());
    }

    /** Quoted fields with commas, doubled quotes and newlines (a \r\n inside one), a blank line, an empty text. */
    static final String TRICKY = "id,text,n_words\n"
            + "a,\"First sentence, with a comma. Second one says \"\"hi\"\". Third\r\nspans a line. Fourth, last.\",9\n"
            + "\n"
            + "b,plain text without quotes. Another sentence here. And a third one. And a fourth.,4\n"
            + "c,\"  Leading spaces kept. \"\"Quoted\"\" start. Mr. Smith went home. He slept.  \",3\n"
            + "d,\"\",0\n"
            + "e,\"One, two.\nThree, four.\n\nFive. Six, seven.\"\n";

    /**
     * The paper's CSV format read by univocity gives the sentences the hand-written reader it replaced gave
     * (expected values taken from that reader), with \n and with \r\n line endings.
     */
    @Test
    void chunkCsvReadsQuotedCommasNewlinesAndDoubledQuotes() throws Exception {
        Path lf = tmp.resolve("tricky.csv");
        Files.writeString(lf, TRICKY);
        Path crlf = tmp.resolve("tricky-crlf.csv");
        Files.writeString(crlf, TRICKY.replace("\n", "\r\n"));
        List<String> expected = List.of("Third spans a line. Fourth, last.", "And a third one. And a fourth.",
                "Mr. Smith went home. He slept.", "", "Five. Six, seven.");
        for (Path p : List.of(lf, crlf)) {
            TextSet set = TextSets.chunkCsv(p, tok, 1000, 50);
            assertEquals(expected, set.samples().stream().map(TextSample::text).toList(), p.toString());
            String stem = p.getFileName().toString().replace(".csv", "");
            assertEquals(List.of(stem + ":0", stem + ":1", stem + ":2", stem + ":3", stem + ":4"),
                    set.samples().stream().map(TextSample::id).toList());
        }
        assertEquals(2, TextSets.chunkCsv(lf, tok, 1000, 2).size(), "limit: the first rows only");
        Path longRow = tmp.resolve("long.csv");
        Files.writeString(longRow, "id,text\n1,\"" + "A sentence, of some words. ".repeat(500) + "\"\n");
        assertTrue(TextSets.chunkCsv(longRow, tok, 8, 1).get(0).text().length() > 5000, "a 13k-character chunk");
    }

    @Test
    void chunkCsvCompressesTheSecondHalfOfTheSentences() throws Exception {
        TextSet set = TextSets.chunkCsv(fixture("sample_chunks.csv"), tok, 1000, 50);
        assertEquals(3, set.size());
        // row 0 has 8 sentences (punkt agrees: "Mr." is no break): the last 4 are compressed
        assertEquals("Mr. Bennet replied that he had not. \"But it is,\" returned she; \"for Mrs. Long has just been "
                + "here, and she told me all about it.\" Mr. Bennet made no answer.", set.get(0).text());
        // row 2 has a newline inside the quoted cell; whitespace is normalised first
        assertTrue(set.get(2).text().startsWith("Sixteen years had Miss Taylor"), set.get(2).text());
        assertEquals("sample_chunks:1", set.get(1).id());
        assertEquals("csv", set.get(1).source().id());
        assertEquals(tok.bosId(), set.get(0).tokenIds()[0]);
        assertArrayEquals(tok.encode(set.get(0).text()), set.get(0).tokenIds());
        assertTrue(set.description().get("file_sha256").matches("[0-9a-f]{64}"));
    }

    @Test
    void chunkCsvTruncatesToLTokensIncludingBos() throws Exception {
        TextSet set = TextSets.chunkCsv(fixture("sample_chunks.csv"), tok, 16, 2);
        assertEquals(2, set.size());
        for (TextSample s : set) {
            assertEquals(16, s.length());
            assertArrayEquals(Arrays.copyOf(tok.encode(s.text()), 16), s.tokenIds());
        }
    }

    @Test
    void csvWithoutTextColumnIsRejectedClearly() throws Exception {
        Path csv = tmp.resolve("bad.csv");
        Files.writeString(csv, "id,body\n1,hello\n");
        TextException e = assertThrows(TextException.class, () -> TextSets.chunkCsv(csv, tok, 32, 10));
        assertTrue(e.getMessage().contains("'text' column") && e.getMessage().contains("bad.csv"), e.getMessage());
    }

    @Test
    void randomWordsHaveExactlyLTokensAndRepeatBySeed() {
        WordList words = new WordList(List.of("truth", "fortune", "whale", "sea", "sisters", ",", "."), "test", "x");
        TextSet a = TextSets.randomWords(words, tok, 64, 5, 42);
        TextSet b = TextSets.randomWords(words, tok, 64, 5, 42);
        TextSet c = TextSets.randomWords(words, tok, 64, 5, 43);
        for (int i = 0; i < 5; i++) {
            assertEquals(64, a.get(i).length());
            assertEquals(tok.bosId(), a.get(i).tokenIds()[0]);
            assertArrayEquals(a.get(i).tokenIds(), b.get(i).tokenIds());
            assertEquals(a.get(i).text(), b.get(i).text());
            for (String w : a.get(i).text().split(" ")) {
                assertTrue(words.words().contains(w) || a.get(i).text().endsWith(w), "unknown word " + w);
            }
        }
        assertNotEquals(a.get(0).text(), c.get(0).text());
        assertNotEquals(a.get(0).text(), a.get(1).text());
        assertEquals("42", a.description().get("seed"));
    }

    @Test
    void randomWordsFromThePapersVocabulary() {
        Path vocab = Path.of("/work/shared/data/hidden_capacity/vocab_100k.txt");
        Assumptions.assumeTrue(Files.isRegularFile(vocab), "the paper's vocab_100k.txt is not on this machine");
        WordList words = WordList.read(vocab);
        assertEquals(100_000, words.size());
        TextSet set = TextSets.randomWords(words, tok, 128, 3, 1);
        for (TextSample s : set) {
            assertEquals(128, s.length());
        }
    }

    @Test
    void emptyOrMissingVocabularyIsRejectedClearly() throws Exception {
        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "\n  \n");
        TextException e = assertThrows(TextException.class, () -> WordList.read(empty));
        assertTrue(e.getMessage().contains("empty.txt") && e.getMessage().contains("no words"), e.getMessage());
        assertThrows(TextException.class, () -> WordList.read(tmp.resolve("absent.txt")));
    }

    @Test
    void bookChunksComeFromTheHeldOutPartAndRepeatBySeed() {
        TextSet a = TextSets.bookChunks(corpus, tok, 48, 6, 5);
        TextSet b = TextSets.bookChunks(corpus, tok, 48, 6, 5);
        String training = String.join("\n", corpus.trainingTexts());
        String heldOut = String.join("\n", corpus.heldOutTexts());
        for (int i = 0; i < a.size(); i++) {
            TextSample s = a.get(i);
            assertEquals(48, s.length());
            assertEquals(s.id(), b.get(i).id());
            assertArrayEquals(s.tokenIds(), b.get(i).tokenIds());
            // every paragraph number "(b.p)" in the chunk is a held-out paragraph
            var m = java.util.regex.Pattern.compile("\\(\\d+\\.\\d+\\)").matcher(s.text());
            while (m.find()) {
                assertTrue(heldOut.contains(m.group()), m.group());
                assertFalse(training.contains(m.group() + " "), m.group() + " is training text");
            }
        }
        TextSet other = TextSets.bookChunks(corpus, tok, 48, 6, 6);
        assertNotEquals(ids(a), ids(other));
        assertEquals("5", a.description().get("seed"));
        assertEquals("held-out", a.description().get("split"));
    }

    private static List<String> ids(TextSet set) {
        return set.samples().stream().map(TextSample::id).toList();
    }

    @Test
    void plainTextFileIsOneSample() throws Exception {
        Path f = tmp.resolve("passage.txt");
        Files.writeString(f, "Call me Ishmael.\n\nSome years ago I went to sea.\n");
        TextSet set = TextSets.plainText(f, tok, 100);
        assertEquals(1, set.size());
        assertEquals("Call me Ishmael. Some years ago I went to sea.", set.get(0).text());
        assertEquals("passage", set.get(0).id());
        assertEquals("Call me Ishmael. Some years ago I went to sea.", tok.decode(set.get(0).tokenIds(), true));
    }
}
