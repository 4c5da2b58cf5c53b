package org.cramlab.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cramlab.core.Hashing;

/**
 * A vocabulary of words for random-word texts, one word per line, like the paper's
 * {@code vocab_100k.txt}. cramlab's default list ({@code words.txt} next to the default model) is
 * derived from the corpus training split by {@link #fromTexts}.
 *
 * @param words the words in file order
 * @param source where they came from (file path or a description)
 * @param sha256 checksum of the file content (one word per line, LF)
 */
public record WordList(List<String> words, String source, String sha256) {

    /** File name of the default word list in the default model directory. */
    public static final String FILE = "words.txt";

    /** Minimum number of occurrences in the training split for a word to enter the default list. */
    public static final int MIN_COUNT = 3;

    private static final Pattern WORD = Pattern.compile("[A-Za-z]+");

    public WordList {
        words = List.copyOf(words);
        if (words.isEmpty()) {
            throw new TextException("word list " + source + " is empty: expected one word per line");
        }
    }

    /**
     * The deterministic default list: lower-cased ASCII letter runs of {@code texts} occurring at least
     * {@link #MIN_COUNT} times, most frequent first, ties alphabetical.
     */
    public static WordList fromTexts(List<String> texts) {
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            Matcher m = WORD.matcher(text);
            while (m.find()) {
                counts.merge(m.group().toLowerCase(Locale.ROOT), 1, Integer::sum);
            }
        }
        List<String> words = counts.entrySet().stream()
                .filter(e -> e.getValue() >= MIN_COUNT)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .toList();
        return new WordList(words, "corpus training split", Hashing.sha256(content(words)));
    }

    /**
     * Reads a word file: one word per line; blank lines are skipped and surrounding whitespace
     * trimmed (GloVe-style lines "word v1 v2 ..." keep only the first field).
     */
    public static WordList read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new TextException("vocabulary file " + file + " does not exist: expected one word per line");
        }
        try {
            List<String> words = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .map(s -> s.split("\\s+", 2)[0])
                    .toList();
            if (words.isEmpty()) {
                throw new TextException("vocabulary file " + file + " holds no words: expected one word per line");
            }
            return new WordList(words, file.toString(), Hashing.sha256(file));
        } catch (IOException e) {
            throw new TextException("cannot read vocabulary file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes one word per line (LF). */
    public void write(Path file) {
        try {
            Files.write(file, content(words));
        } catch (IOException e) {
            throw new TextException("cannot write word list " + file + ": " + e.getMessage(), e);
        }
    }

    public int size() {
        return words.size();
    }

    private static byte[] content(List<String> words) {
        return (String.join("\n", words) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
