package org.cramlab.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSet;
import org.cramlab.text.TextSets;
import org.cramlab.text.WordList;
import org.cramlab.train.DefaultModel;

/**
 * The text sources a plan names, as a {@link TextResolver} over {@link TextSets}:
 * <ul>
 *   <li>{@code book}: sample {@code index} of {@link TextSets#bookChunks} (held-out corpus, seeded);
 *       the same index at a longer L starts at the same sentence, so lengths truncate one text as in the paper;
 *   <li>{@code csv}: row {@code index} of a paper-format chunk file ({@link TextSets#chunkCsv});
 *   <li>{@code lines}: text {@code index} of a file with one text per line ({@link TextSets#lines});
 *   <li>{@code random}: {@link TextSets#randomWords} seeded by (seed, index), from the spec's vocabulary
 *       file or {@link #defaultWords}.
 * </ul>
 * Sets are cached per (source, length, seed), so a plan's runs share one tokenisation pass per length.
 */
public final class Texts implements TextResolver {
    private final Path defaultWords;
    private final Map<String, TextSet> cache = new HashMap<>();
    private final Map<Path, WordList> vocabularies = new HashMap<>();
    private final java.util.function.Supplier<BookCorpus> corpusSource;
    private BookCorpus corpus;

    Texts(Path defaultWords, java.util.function.Supplier<BookCorpus> corpusSource) {
        this.defaultWords = defaultWords;
        this.corpusSource = corpusSource;
    }

    /**
     * Sources for {@code profile}: random texts use the profile's {@code randomVocab} ({@code CRAMLAB_VOCAB}),
     * else {@link #defaultWords}.
     */
    public static Texts forProfile(Profile profile) {
        return new Texts(defaultWords(profile.modelDirs().get(0)), BookCorpus::load);
    }

    /**
     * The word list random texts use when none is named: the model directory's {@code words.txt} if it has
     * one (cramlab's default model does), else the default model's, which always exists (a Hugging Face
     * checkpoint has no word list).
     */
    static Path defaultWords(String modelDir) {
        Path own = Path.of(modelDir).resolve(WordList.FILE);
        return Files.isRegularFile(own) ? own : DefaultModel.directory().resolve(WordList.FILE);
    }

    @Override
    public synchronized Resolved resolve(TextSpec spec, int length, TextTokenizer tokenizer) {
        if (tokenizer == null) {
            throw new ExperimentException("text " + spec.id() + ": the model directory has no tokenizer.json");
        }
        TextSample s = switch (spec.source()) {
            case BOOK -> indexed(spec, length, tokenizer, n -> TextSets.bookChunks(corpus(), tokenizer, length, n, spec.seed()));
            case CSV -> indexed(spec, length, tokenizer, n -> TextSets.chunkCsv(Path.of(spec.path()), tokenizer, length, n));
            case LINES -> indexed(spec, length, tokenizer, n -> TextSets.lines(Path.of(spec.path()), tokenizer, length, n));
            case RANDOM -> TextSets.randomWords(words(spec), tokenizer, length, 1, spec.seed() * 1_000_003L + spec.index()).get(0);
            default -> throw new ExperimentException("text source '" + spec.source() + "' of " + spec.id()
                    + " is not one of book, csv, lines, random (the sources a plan can resolve)");
        };
        if (s.tokenIds().length != length) {
            throw new ExperimentException("text " + spec.id() + " has only " + s.tokenIds().length + " tokens, L = " + length
                    + " needed");
        }
        return new Resolved(s.text(), s.tokenIds());
    }

    /** Sample {@code index} of a set made for at least index + 1 samples (grown by doubling, cached). */
    private TextSample indexed(TextSpec spec, int length, TextTokenizer tok, java.util.function.IntFunction<TextSet> make) {
        String key = spec.source() + "|" + spec.path() + "|" + spec.seed() + "|" + length + "|" + tok.file();
        TextSet set = cache.get(key);
        if (set == null || set.size() <= spec.index()) {
            set = make.apply(Math.max(spec.index() + 1, set == null ? 8 : 2 * set.size()));
            cache.put(key, set);
        }
        if (set.size() <= spec.index()) {
            throw new ExperimentException("text source " + spec.source() + " has only " + set.size() + " texts, "
                    + spec.id() + " asked for");
        }
        return set.get(spec.index());
    }

    private BookCorpus corpus() {
        if (corpus == null) corpus = corpusSource.get();
        return corpus;
    }

    private WordList words(TextSpec spec) {
        Path file = spec.path() != null ? Path.of(spec.path()) : defaultWords;
        if (!Files.isRegularFile(file)) {
            throw new ExperimentException("random text " + spec.id() + ": vocabulary file " + file
                    + " not found (expected one word per line, e.g. the paper's vocab_100k.txt; set " + Profile.ENV_VOCAB
                    + " or unset it for cramlab's default word list)");
        }
        return vocabularies.computeIfAbsent(file, WordList::read);
    }
}
