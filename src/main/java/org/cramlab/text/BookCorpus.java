package org.cramlab.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.core.CramlabHome;
import org.cramlab.core.Hashing;

/**
 * cramlab's book corpus as written by {@code environment/fetch-corpus}: {@code MANIFEST.json} plus one
 * normalised text file per book (one paragraph per line). Every book is split by the fixed rule
 * {@link Book#HELD_OUT_RULE}: the tokenizer and the default model only ever see the training part, and
 * held-out chunks and cross-entropy numbers come from the held-out part.
 *
 * <pre>{@code
 * BookCorpus corpus = BookCorpus.load();              // $CRAMLAB_HOME/corpus
 * for (String text : corpus.trainingTexts()) { ... } // one string per book
 * }</pre>
 */
public final class BookCorpus {

    /** File listing the books with checksums and licences. */
    public static final String MANIFEST = "MANIFEST.json";

    private final Path dir;
    private final List<Book> books;
    private final String manifestSha256;

    private BookCorpus(Path dir, List<Book> books, String manifestSha256) {
        this.dir = dir;
        this.books = List.copyOf(books);
        this.manifestSha256 = manifestSha256;
    }

    /** Loads the corpus from {@link CramlabHome#corpusDir()}. */
    public static BookCorpus load() {
        return load(CramlabHome.corpusDir());
    }

    /**
     * Loads a corpus directory, checking every book against the manifest's sha256.
     *
     * @throws TextException if the corpus is missing, incomplete or changed
     */
    public static BookCorpus load(Path dir) {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new TextException("no book corpus at " + dir + " (" + MANIFEST + " missing): run environment/setup "
                    + "or environment/fetch-corpus, or set CRAMLAB_HOME to where the corpus is");
        }
        JsonArray entries;
        try {
            JsonObject json = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
            entries = json.getAsJsonArray("books");
        } catch (IOException | RuntimeException e) {
            throw new TextException("cannot read " + manifest + " (expected JSON with a \"books\" array): "
                    + e.getMessage() + "; rerun environment/fetch-corpus --force", e);
        }
        if (entries == null || entries.isEmpty()) {
            throw new TextException(manifest + " lists no books; rerun environment/fetch-corpus --force");
        }
        List<Book> books = new ArrayList<>();
        for (JsonElement e : entries) {
            JsonObject entry = e.getAsJsonObject();
            String file = entry.get("file").getAsString();
            Path path = dir.resolve(file);
            if (!Files.isRegularFile(path)) {
                throw new TextException("corpus file " + path + " listed in " + manifest
                        + " is missing: run environment/fetch-corpus --force");
            }
            String expected = entry.get("sha256").getAsString();
            String actual = Hashing.sha256(path);
            if (!actual.equals(expected)) {
                throw new TextException("corpus file " + path + " has sha256 " + actual + " but " + manifest
                        + " says " + expected + ": run environment/fetch-corpus --force");
            }
            books.add(Book.of(stem(file), readParagraphs(path)));
        }
        return new BookCorpus(dir, books, Hashing.sha256(manifest));
    }

    /** An in-memory corpus (tests, or a user's own texts), split by the same held-out rule. */
    public static BookCorpus of(Map<String, List<String>> paragraphsByBook) {
        List<Book> books = new ArrayList<>();
        paragraphsByBook.forEach((name, paragraphs) -> books.add(Book.of(name, paragraphs)));
        return new BookCorpus(null, books, null);
    }

    /** Reads a text file as paragraphs: one per non-blank line, trimmed. */
    public static List<String> readParagraphs(Path path) {
        try {
            return Files.readAllLines(path, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new TextException("cannot read text file " + path + ": " + e.getMessage(), e);
        }
    }

    public List<Book> books() {
        return books;
    }

    /** Training text of every book, one string per book. */
    public List<String> trainingTexts() {
        return books.stream().map(Book::trainingText).toList();
    }

    /** Held-out text of every book, one string per book. */
    public List<String> heldOutTexts() {
        return books.stream().map(Book::heldOutText).toList();
    }

    /** The manifest file, or null for an in-memory corpus. */
    public Path manifest() {
        return dir == null ? null : dir.resolve(MANIFEST);
    }

    /** What to record in run metadata and model cards: where, which manifest, which split. */
    public Map<String, String> description() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("corpus", dir == null ? "in-memory" : dir.toString());
        if (manifestSha256 != null) {
            d.put("manifest_sha256", manifestSha256);
        }
        d.put("books", String.join(",", books.stream().map(Book::name).toList()));
        d.put("held_out_rule", Book.HELD_OUT_RULE);
        return d;
    }

    private static String stem(String file) {
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}
