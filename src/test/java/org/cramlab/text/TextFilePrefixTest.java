package org.cramlab.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streaming the first L tokens of a text file: same ids as tokenising it all, work bounded by L, clear errors. */
class TextFilePrefixTest {

    static TextTokenizer tok;

    @BeforeAll
    static void load() {
        tok = TextTokenizer.load(DefaultModel.directory());
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    /** Words, punctuation, runs of spaces and line breaks, some non-ASCII. */
    static String prose(int words, long seed) {
        String[] vocab = {"the", "little", "dog", "ran", "home", ",", ".", "naïve", "café", "\n", "  ", "Once", "upon", "über"};
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(vocab[rng.nextInt(vocab.length)]).append(' ');
        }
        return sb.toString();
    }

    @Test
    void givesTheIdsOfTokenisingTheWholeFileThenTruncating(@TempDir Path tmp) throws IOException {
        String text = prose(30_000, 7);
        Path file = Files.writeString(tmp.resolve("t.txt"), text);
        for (int length : new int[] {1, 2, 3, 8, 57, 500, 4000}) {
            TextFilePrefix p = TextFilePrefix.read(file, tok, length, "--text-file");
            assertArrayEquals(tok.encode(text, true, length), p.tokenIds(), "L = " + length);
        }
        TextFilePrefix all = TextFilePrefix.read(file, tok, Integer.MAX_VALUE, "--text-file");
        assertTrue(all.wholeFile());
        assertArrayEquals(tok.encode(text), all.tokenIds());
        Path tiny = Files.writeString(tmp.resolve("tiny.txt"), "a dog");
        assertArrayEquals(tok.encode("a dog", true, 100), TextFilePrefix.read(tiny, tok, 100, "--text-file").tokenIds());
    }

    @Test
    void readsOnlyWhatTheLengthNeedsFromAHugeFile(@TempDir Path tmp) throws IOException {
        Path big = tmp.resolve("big.txt");
        String block = prose(20_000, 3);
        try (BufferedWriter w = Files.newBufferedWriter(big)) {
            for (long written = 0; written < 40L << 20; written += block.length()) {
                w.write(block);
            }
        }
        long size = Files.size(big);
        TextFilePrefix eight = TextFilePrefix.read(big, tok, 8, "--text-file");
        assertArrayEquals(tok.encode(block, true, 8), eight.tokenIds());
        assertFalse(eight.wholeFile());
        assertTrue(eight.bytesRead() <= 16 << 10, "L = 8 read " + eight.bytesRead() + " of " + size + " bytes");
        TextFilePrefix longer = TextFilePrefix.read(big, tok, 2000, "--text-file");
        assertTrue(longer.bytesRead() <= 256 << 10, "L = 2000 read " + longer.bytesRead() + " of " + size + " bytes");
        assertArrayEquals(tok.encode(block, true, 2000), longer.tokenIds());
    }

    @Test
    void saysWhyAFileCannotBeRead(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("latin1.txt");
        try (OutputStream o = Files.newOutputStream(bad)) {
            o.write("caf".getBytes(StandardCharsets.US_ASCII));
            o.write(0xE9); // é in Latin-1
            o.write(" au lait".getBytes(StandardCharsets.US_ASCII));
        }
        TextException notUtf8 = assertThrows(TextException.class, () -> TextFilePrefix.read(bad, tok, 8, "--text-file"));
        assertTrue(notUtf8.getMessage().contains(bad.toString()) && notUtf8.getMessage().contains("not UTF-8")
                && notUtf8.getMessage().contains("byte offset 3"), notUtf8.getMessage());

        // a bad byte far beyond the part needed is never read
        Path lateBad = tmp.resolve("late.txt");
        try (OutputStream o = Files.newOutputStream(lateBad)) {
            o.write(prose(100_000, 1).getBytes(StandardCharsets.UTF_8));
            o.write(0xFF);
        }
        assertTrue(TextFilePrefix.read(lateBad, tok, 8, "--text-file").tokenIds().length == 8);
        TextException lateAll = assertThrows(TextException.class,
                () -> TextFilePrefix.read(lateBad, tok, Integer.MAX_VALUE, "--text-file"));
        assertTrue(lateAll.getMessage().contains("byte offset " + (Files.size(lateBad) - 1)), lateAll.getMessage());

        TextException missing = assertThrows(TextException.class,
                () -> TextFilePrefix.read(tmp.resolve("nope.txt"), tok, 8, "--text-file"));
        assertTrue(missing.getMessage().contains(tmp.resolve("nope.txt") + ": no such file"), missing.getMessage());
        TextException dir = assertThrows(TextException.class, () -> TextFilePrefix.read(tmp, tok, 8, "--text-file"));
        assertTrue(dir.getMessage().contains("is a directory"), dir.getMessage());
    }
}
