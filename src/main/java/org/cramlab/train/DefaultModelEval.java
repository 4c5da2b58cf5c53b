package org.cramlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSets;
import org.cramlab.text.WordList;

/**
 * The default model's quality numbers: cross-entropy per token on the corpus's held-out text,
 * compared with the unigram entropy of the same tokens, and on random-word texts. The default model
 * must reach held-out CE at least 30% below the unigram entropy, and random-word CE clearly above book CE.
 *
 * <p>Held-out text is cut into consecutive windows of {@code window - 1} tokens, each fed after BOS
 * (so every held-out token is predicted once, with 0 to window-2 tokens of context); the unigram
 * entropy is that of the empirical token distribution of exactly the predicted tokens.
 */
public final class DefaultModelEval {

    private final BookCorpus corpus;
    private final int window;
    private final int batchRows;
    private final long maxHeldOutTokens;
    private final int randomCount;
    private final long seed;
    private final WordList vocab;

    private DefaultModelEval(Builder b) {
        this.corpus = b.corpus;
        this.window = b.window;
        this.batchRows = b.batchRows;
        this.maxHeldOutTokens = b.maxHeldOutTokens;
        this.randomCount = b.randomCount;
        this.seed = b.seed;
        this.vocab = b.vocab;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The numbers of one evaluation.
     *
     * @param heldOutTokens predicted held-out tokens
     * @param heldOutCe mean cross-entropy on them, nats per token
     * @param unigramEntropy entropy of their empirical unigram distribution, nats per token
     * @param randomTokens predicted tokens of random-word texts
     * @param randomCe mean cross-entropy on them, nats per token
     * @param randomVocab the word list of the random texts
     * @param window tokens per evaluation window (BOS included)
     */
    public record Result(long heldOutTokens, double heldOutCe, double unigramEntropy, long randomTokens,
            double randomCe, String randomVocab, int window) {

        /** How far held-out CE lies below the unigram entropy, as a fraction (target: >= 0.30). */
        public double reductionVsUnigram() {
            return 1 - heldOutCe / unigramEntropy;
        }

        /** Human-readable lines (nats and bits). */
        public String summary() {
            double ln2 = Math.log(2);
            return String.format(
                    "held-out book text: %,d tokens, CE %.4f nats/token (%.4f bits)%n"
                            + "unigram entropy of the same tokens: %.4f nats/token (%.4f bits)%n"
                            + "CE is %.1f%% below the unigram entropy (target >= 30%%): %s%n"
                            + "random-word text (%s): %,d tokens, CE %.4f nats/token (%.4f bits), %.2fx the book CE",
                    heldOutTokens, heldOutCe, heldOutCe / ln2, unigramEntropy, unigramEntropy / ln2,
                    100 * reductionVsUnigram(), reductionVsUnigram() >= 0.30 ? "met" : "NOT met",
                    randomVocab, randomTokens, randomCe, randomCe / ln2, randomCe / heldOutCe);
        }
    }

    /** Evaluates the model in {@code modelDir} (config.json, model.safetensors, tokenizer.json). */
    public Result evaluate(Path modelDir) {
        BookCorpus books = corpus != null ? corpus : BookCorpus.load();
        try (CausalLM model = Models.load(modelDir); TextTokenizer tok = TextTokenizer.load(modelDir)) {
            List<long[]> rows = new ArrayList<>();
            long budget = maxHeldOutTokens;
            for (String text : books.heldOutTexts()) {
                int[] ids = tok.encode(text, false);
                for (int s = 0; s + window - 1 <= ids.length && budget >= window - 1; s += window - 1) {
                    long[] row = new long[window];
                    row[0] = tok.bosId();
                    for (int j = 1; j < window; j++) {
                        row[j] = ids[s + j - 1];
                    }
                    rows.add(row);
                    budget -= window - 1;
                }
            }
            Map<Long, Long> counts = new HashMap<>();
            for (long[] row : rows) {
                for (int j = 1; j < row.length; j++) {
                    counts.merge(row[j], 1L, Long::sum);
                }
            }
            double[] held = meanNll(model, rows);
            WordList words = vocab != null ? vocab : WordList.read(modelDir.resolve(WordList.FILE));
            List<long[]> random = new ArrayList<>();
            for (TextSample s : TextSets.randomWords(words, tok, window, randomCount, seed)) {
                random.add(java.util.Arrays.stream(s.tokenIds()).asLongStream().toArray());
            }
            double[] rnd = meanNll(model, random);
            return new Result((long) held[1], held[0], entropy(counts), (long) rnd[1], rnd[0], words.source(), window);
        }
    }

    /** {mean NLL, count} over all next-token predictions of equal-length rows. */
    private double[] meanNll(CausalLM model, List<long[]> rows) {
        double sum = 0;
        long n = 0;
        for (int i = 0; i < rows.size(); i += batchRows) {
            List<long[]> batch = rows.subList(i, Math.min(rows.size(), i + batchRows));
            int t = batch.get(0).length;
            long[] flat = new long[batch.size() * t];
            for (int r = 0; r < batch.size(); r++) {
                System.arraycopy(batch.get(r), 0, flat, r * t, t);
            }
            try (NDManager sub = model.manager().newSubManager()) {
                NDArray ids = sub.create(flat, new Shape(batch.size(), t));
                NDArray nll = LmLoss.tokenNll(model.forward(model.embed(ids), null), ids);
                sum += nll.sum().getFloat();
                n += nll.size();
            }
        }
        return new double[] {sum / n, n};
    }

    private static double entropy(Map<Long, Long> counts) {
        double total = counts.values().stream().mapToLong(Long::longValue).sum();
        double h = 0;
        for (long c : counts.values()) {
            double p = c / total;
            h -= p * Math.log(p);
        }
        return h;
    }

    /** Options for {@link DefaultModelEval}. */
    public static final class Builder {
        private BookCorpus corpus;
        private int window = 256;
        private int batchRows = 8;
        private long maxHeldOutTokens = Long.MAX_VALUE;
        private int randomCount = 32;
        private long seed = 1;
        private WordList vocab;

        /** Corpus whose held-out part is scored (default: {@link BookCorpus#load()}). */
        public Builder optCorpus(BookCorpus corpus) {
            this.corpus = corpus;
            return this;
        }

        /** Tokens per window, BOS included (default 256). */
        public Builder optWindow(int window) {
            this.window = window;
            return this;
        }

        /** Cap on held-out tokens scored (default: all). */
        public Builder optMaxHeldOutTokens(long max) {
            this.maxHeldOutTokens = max;
            return this;
        }

        /** Number of random-word texts of {@code window} tokens (default 32). */
        public Builder optRandomCount(int count) {
            this.randomCount = count;
            return this;
        }

        /** Seed of the random-word texts (default 1). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Word list for random texts (default: the model directory's words.txt). */
        public Builder optVocab(WordList vocab) {
            this.vocab = vocab;
            return this;
        }

        public DefaultModelEval build() {
            return new DefaultModelEval(this);
        }
    }
}
