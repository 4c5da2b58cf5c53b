package org.cramlab.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.text.BookCorpus;
import org.cramlab.core.CramlabHome;
import org.cramlab.text.TextException;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSet;
import org.cramlab.text.TextSource;
import org.cramlab.text.TextSets;
import org.cramlab.text.WordList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cramlab texts}: writes a reproducible text set as JSONL ({@code id}, {@code source},
 * {@code text}, {@code n_tokens} per line; readable by {@code --texts}) and its description to
 * {@code <out>.meta.json}.
 */
@Command(name = "texts", mixinStandardHelpOptions = true,
        description = "Write a text set (paper CSV chunks, random words, held-out book chunks, a text file) as JSONL.",
        footer = {"%nExample:", "  java -jar lib/cramlab.jar texts --source book --count 10 --out t.jsonl"})
public final class TextsCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--source", required = true, paramLabel = "csv|random|book|file",
            description = "csv: second half of each chunk's sentences; random: random words; book: held-out corpus chunks; "
                    + "file: a plain text file.")
    String source;

    @Option(names = "--file", paramLabel = "FILE", description = "The CSV (csv) or text file (file).")
    Path file;

    @Option(names = "--vocab", paramLabel = "FILE", description = "Word list for random texts (default: the model's words.txt).")
    Path vocab;

    @picocli.CommandLine.Mixin
    ModelOption model; // whose tokenizer counts tokens

    @Option(names = "--corpus", paramLabel = "DIR", description = "Corpus for book chunks (default: $CRAMLAB_HOME/corpus).")
    Path corpus;

    @Option(names = "--tokens", defaultValue = "256", paramLabel = "L",
            description = "Tokens per text, special tokens included (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--count", defaultValue = "50", description = "Number of texts (default: ${DEFAULT-VALUE}).")
    int count;

    @picocli.CommandLine.Mixin
    SeedOption seed; // of random and book texts

    @Option(names = "--out", paramLabel = "FILE", description = "JSONL file to write (default: standard output).")
    Path out;

    @Override
    public Integer call() {
        if (tokens < 2 || count < 1) {
            spec.commandLine().getErr().println("texts: " + (tokens < 2
                    ? "--tokens must be >= 2 (the first token is context only; L counts special tokens), got " + tokens
                    : "--count must be >= 1, got " + count));
            spec.commandLine().getErr().flush();
            return 2;
        }
        Path modelDir = model.directory();
        try (TextTokenizer tok = TextTokenizer.load(modelDir)) {
            TextSet set = switch (TextSource.of(source)) {
                case CSV -> TextSets.chunkCsv(requireFile(), tok, tokens, count);
                case RANDOM -> TextSets.randomWords(
                        WordList.read(vocab != null ? vocab : modelDir.resolve(WordList.FILE)), tok, tokens, count, seed.seed());
                case BOOK -> TextSets.bookChunks(
                        BookCorpus.load(corpus != null ? corpus : CramlabHome.corpusDir()), tok, tokens, count, seed.seed());
                case FILE -> TextSets.plainText(requireFile(), tok, tokens);
                case LITERAL, LINES -> throw new TextException("--source must be csv, random, book or file, got '" + source + "'");
            };
            write(set);
        }
        return 0;
    }

    private Path requireFile() {
        if (file == null) {
            throw new TextException("--source " + source + " needs --file");
        }
        return file;
    }

    private void write(TextSet set) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        StringBuilder jsonl = new StringBuilder();
        for (TextSample s : set) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("id", s.id());
            line.put("source", s.source().id());
            line.put("text", s.text());
            line.put("n_tokens", s.length());
            jsonl.append(gson.toJson(line)).append('\n');
        }
        if (out == null) {
            PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            stdout.print(jsonl);
            return;
        }
        try {
            Files.writeString(out, jsonl);
            Files.writeString(out.resolveSibling(out.getFileName() + ".meta.json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(set.description()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
        System.err.printf("%d texts written to %s (description in %s.meta.json)%n", set.size(), out, out.getFileName());
    }
}
