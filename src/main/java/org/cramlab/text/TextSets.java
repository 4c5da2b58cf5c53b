package org.cramlab.text;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.CramlabException;
import org.cramlab.core.Hashing;
import org.cramlab.core.JsonErrors;
import org.cramlab.core.Utf8;

/**
 * The text sources of the experiments, each giving a reproducible {@link TextSet} of texts
 * tokenised with the model's tokenizer and truncated to L tokens (special tokens count towards L,
 * as the paper's {@code tokenizer(..., max_length=L, truncation=True)}).
 *
 * <pre>{@code
 * TextSet pg19 = TextSets.chunkCsv(Path.of("pg19_valid_1k_chunks.csv"), tok, 256, 50);
 * TextSet rnd  = TextSets.randomWords(WordList.read(vocab), tok, 256, 50, 42);
 * TextSet held = TextSets.bookChunks(BookCorpus.load(), tok, 256, 50, 42);
 * }</pre>
 */
public final class TextSets {

    private TextSets() {}

    /**
     * The paper's chunk files ({@code pg19_valid_1k_chunks.csv}, {@code fanfics_1k_chunks.csv}): the
     * first {@code limit} rows of the {@code text} column; each compressed text is the second half of
     * the chunk's sentences ({@link Sentences#secondHalf}), truncated to {@code maxTokens}.
     */
    public static TextSet chunkCsv(Path csv, TextTokenizer tok, int maxTokens, int limit) {
        String stem = stem(csv);
        List<TextSample> samples = new ArrayList<>();
        CsvParser parser = new CsvParser(csvSettings());
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            parser.beginParsing(in);
            String[] header = parser.parseNext();
            if (header == null) {
                throw new TextException("CSV file " + csv + " is empty: expected a header with a 'text' column");
            }
            int col = List.of(header).indexOf("text");
            if (col < 0) {
                throw new TextException("CSV file " + csv + " has no 'text' column (header: " + List.of(header)
                        + "); expected the paper's chunk format, e.g. pg19_valid_1k_chunks.csv");
            }
            String[] row;
            for (int r = 1; samples.size() < limit && (row = parser.parseNext()) != null; r++) {
                if (row.length <= col) {
                    throw new TextException("CSV file " + csv + " row " + r + " has " + row.length
                            + " fields, no 'text' field (column " + (col + 1) + ")");
                }
                String text = Sentences.secondHalf(row[col].strip().replaceAll("\\s+", " "));
                samples.add(new TextSample(stem + ":" + (r - 1), TextSource.CSV, text, tok.encode(text, true, maxTokens)));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new TextException("cannot read CSV file " + csv + ": " + e.getMessage(), e);
        } catch (TextParsingException e) {
            throw new TextException("CSV file " + csv + " is not valid CSV near line " + (e.getLineIndex() + 1) + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        } finally {
            parser.stopParsing();
        }
        Map<String, String> d = describe(TextSource.CSV, tok, maxTokens);
        d.put("file", csv.toString());
        d.put("file_sha256", Hashing.sha256(csv));
        d.put("rule", "second half of the chunk's sentences (JDK BreakIterator + abbreviations)");
        return new TextSet(samples, d);
    }

    /**
     * Random texts as the paper's {@code --shuffled} runs: {@code 5 * maxTokens} words drawn uniformly
     * with replacement from {@code vocab}, joined by spaces, tokenised and truncated to
     * {@code maxTokens}. Unlike the paper, which drew L at random per sample and used no seed, L is
     * given and the draw is seeded ({@link SplittableRandom}), so the same seed gives the same texts.
     */
    public static TextSet randomWords(WordList vocab, TextTokenizer tok, int maxTokens, int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<TextSample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 5 * maxTokens; w++) {
                if (w > 0) {
                    sb.append(' ');
                }
                sb.append(vocab.words().get(rng.nextInt(vocab.size())));
            }
            String text = sb.toString();
            int[] ids = tok.encode(text, true, maxTokens);
            samples.add(new TextSample("random:" + seed + ":" + i, TextSource.RANDOM, decodeVisible(tok, ids), ids));
        }
        Map<String, String> d = describe(TextSource.RANDOM, tok, maxTokens);
        d.put("vocab", vocab.source());
        d.put("vocab_sha256", vocab.sha256());
        d.put("vocab_size", String.valueOf(vocab.size()));
        d.put("seed", String.valueOf(seed));
        return new TextSet(samples, d);
    }

    /**
     * Chunks of the corpus's held-out part (never trained on): a book chosen with probability
     * proportional to its held-out length, a sentence start chosen uniformly in it, and from there
     * exactly {@code maxTokens} tokens (chunks that would run past the book's end are redrawn).
     */
    public static TextSet bookChunks(BookCorpus corpus, TextTokenizer tok, int maxTokens, int count, long seed) {
        List<Book> books = corpus.books();
        List<List<String>> sentences = new ArrayList<>();
        long[] cumulative = new long[books.size()];
        long total = 0;
        for (int b = 0; b < books.size(); b++) {
            sentences.add(Sentences.split(books.get(b).heldOutText()));
            total += books.get(b).heldOutText().length();
            cumulative[b] = total;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<TextSample> samples = new ArrayList<>();
        for (int attempts = 0; samples.size() < count; attempts++) {
            if (attempts > 100 * count + 1000) {
                throw new TextException("the held-out corpus is too short for chunks of " + maxTokens + " tokens");
            }
            long x = rng.nextLong(Math.max(1, total));
            int b = 0;
            while (cumulative[b] <= x) {
                b++;
            }
            List<String> s = sentences.get(b);
            if (s.isEmpty()) {
                continue;
            }
            int first = rng.nextInt(s.size());
            StringBuilder sb = new StringBuilder();
            for (int i = first; i < s.size() && sb.length() < 12 * maxTokens; i++) {
                sb.append(sb.length() == 0 ? "" : " ").append(s.get(i));
            }
            int[] ids = tok.encode(sb.toString(), true, maxTokens);
            if (ids.length < maxTokens) {
                continue; // too close to the end of the book
            }
            String id = books.get(b).name() + ":s" + first;
            samples.add(new TextSample(id, TextSource.BOOK, decodeVisible(tok, ids), ids));
        }
        Map<String, String> d = describe(TextSource.BOOK, tok, maxTokens);
        d.putAll(corpus.description());
        d.put("split", "held-out");
        d.put("seed", String.valueOf(seed));
        return new TextSet(samples, d);
    }

    /** A plain text file as one text (paragraphs joined by one space), truncated to {@code maxTokens}. */
    public static TextSet plainText(Path file, TextTokenizer tok, int maxTokens) {
        String text = String.join(" ", BookCorpus.readParagraphs(file));
        if (text.isEmpty()) {
            throw new TextException("text file " + file + " holds no text");
        }
        Map<String, String> d = describe(TextSource.FILE, tok, maxTokens);
        d.put("file", file.toString());
        d.put("file_sha256", Hashing.sha256(file));
        int[] ids = tok.encode(text, true, maxTokens);
        return new TextSet(List.of(new TextSample(stem(file), TextSource.FILE, text, ids)), d);
    }

    /**
     * One text per line of a file, the first {@code limit}: for {@code .jsonl} the {@code text} field of each
     * JSON object (its {@code id} field, if any, names it), otherwise each non-blank line; truncated to
     * {@code maxTokens}.
     */
    public static TextSet lines(Path file, TextTokenizer tok, int maxTokens, int limit) {
        boolean jsonl = file.getFileName().toString().endsWith(".jsonl");
        List<String> lines;
        try {
            lines = Utf8.decode(java.nio.file.Files.readAllBytes(file), "text file " + file).lines().toList();
        } catch (java.io.IOException e) {
            throw new TextException("cannot read text file " + file + ": " + e.getMessage(), e);
        } catch (CramlabException e) { // not UTF-8: the message gives the byte offset
            throw new TextException(e.getMessage(), e);
        }
        List<TextSample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size() && samples.size() < limit; i++) {
            if (lines.get(i).isBlank()) continue;
            String id = lineId(file, samples.size());
            String text = lines.get(i);
            if (jsonl) {
                com.google.gson.JsonObject o;
                try {
                    o = com.google.gson.JsonParser.parseString(text).getAsJsonObject();
                } catch (RuntimeException e) {
                    String what = JsonErrors.describe(e).replaceFirst("^line 1 column", "column"); // one line parsed alone
                    throw new TextException(file + " line " + (i + 1) + " is not a JSON object (" + what
                            + "): expected {\"text\": ..., \"id\": ...}", e);
                }
                if (!o.has("text")) throw new TextException(file + " line " + (i + 1) + " has no \"text\" field");
                if (o.get("text").isJsonNull() || o.get("text").getAsString().isBlank()) {
                    throw new TextException(file + " line " + (i + 1) + " has an empty \"text\":"
                            + " expected a non-empty text (was it written with `texts --tokens` < 2?)");
                }
                text = o.get("text").getAsString();
                if (o.has("id")) id = o.get("id").getAsString();
            }
            samples.add(new TextSample(id, TextSource.FILE, text, tok.encode(text, true, maxTokens)));
        }
        Map<String, String> d = describe(TextSource.LINES, tok, maxTokens);
        d.put("file", file.toString());
        d.put("file_sha256", Hashing.sha256(file));
        return new TextSet(samples, d);
    }

    /** The text the truncated ids stand for (what is actually compressed), without special tokens. */
    private static String decodeVisible(TextTokenizer tok, int[] ids) {
        return tok.decode(ids, true);
    }

    /**
     * RFC 4180 as pandas writes it: quoted fields may hold commas, doubled quotes and newlines; fields
     * kept verbatim (no trimming, empty stays empty), any length, blank lines skipped. Rows end as the
     * header line does (\n or \r\n).
     */
    private static CsvParserSettings csvSettings() {
        CsvParserSettings s = new CsvParserSettings();
        s.setMaxCharsPerColumn(-1); // a paper chunk is ~1k tokens, longer than univocity's 4096-char default
        s.setIgnoreLeadingWhitespaces(false);
        s.setIgnoreTrailingWhitespaces(false);
        s.setNullValue("");
        s.setEmptyValue("");
        s.setSkipEmptyLines(true);
        s.setLineSeparatorDetectionEnabled(true); // \n or \r\n, as the file's first line ends
        return s;
    }

    private static Map<String, String> describe(TextSource source, TextTokenizer tok, int maxTokens) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("source", source.id());
        d.put("max_tokens", String.valueOf(maxTokens));
        d.put("tokenizer", tok.file().toString());
        d.put("tokenizer_sha256", Hashing.sha256(tok.file()));
        return d;
    }

    /** The id text {@code n} of a one-text-per-line file gets when it names none (a {@code .jsonl} "id" field). */
    public static String lineId(Path file, int n) {
        return stem(file) + ":" + n;
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
