package org.cramlab.cram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;

/**
 * Decoding capacity at fixed K (the paper's "Max, tokens"): every text truncated to every grid
 * length, one run per (text, length) through the batched engine; per length the mean best
 * (teacher-forced) accuracy over the texts; capacity = the largest grid length whose mean is
 * {@literal >=} 0.99. Optionally bisects between the last passing and the first failing grid
 * length for a sharper number (the paper has no bisection; reported separately).
 */
public final class Capacity {

    /** The paper's PG-19 length grid (union over its models). */
    public static final List<Integer> PAPER_GRID = List.of(
            8, 16, 32, 64, 80, 96, 128, 160, 192, 256, 384, 512, 768, 1024, 1280, 1568, 2048, 2560, 3072);

    /** A length "passes" when the mean best accuracy over its texts is at least this. */
    public static final double THRESHOLD = 0.99;

    /**
     * A text of a capacity search.
     *
     * @param id id within its set
     * @param source "book", "csv", "random", "file" or "literal"
     * @param text the whole text; runs use its first L tokens
     */
    public record Text(String id, String source, String text) {}

    /** How a search turns a text into its first L token ids and back; see {@link #of(TextTokenizer)}. */
    public interface Tokenizer {
        /** The first {@code maxLength} ids of {@code text}, special tokens included (HF truncation). */
        int[] encode(String text, int maxLength);

        /** The text of {@code ids}, special tokens dropped. */
        String decode(int[] ids);

        /** A model's tokenizer, adding its special tokens (BOS for Llama) as the paper's runs do. */
        static Tokenizer of(TextTokenizer tokenizer) {
            return new Tokenizer() {
                @Override
                public int[] encode(String text, int maxLength) {
                    return tokenizer.encode(text, true, maxLength);
                }

                @Override
                public String decode(int[] ids) {
                    return tokenizer.decode(ids, true);
                }
            };
        }
    }

    /**
     * Aggregates of one length.
     *
     * @param length L
     * @param runs number of runs (texts with at least L tokens)
     * @param meanBestAccuracy mean of best_accuracy
     * @param meanTokenGain mean token gain
     * @param meanInformationGainNats mean information gain
     * @param passed meanBestAccuracy >= 0.99
     */
    public record LengthStats(
            int length, int runs, double meanBestAccuracy, double meanTokenGain, double meanInformationGainNats,
            boolean passed) {}

    /**
     * The outcome of a capacity search.
     *
     * @param modelId model
     * @param nMem K
     * @param lengths per-length aggregates, grid and bisection lengths, ascending
     * @param decodingCapacity largest grid length whose mean best accuracy >= 0.99 (0: none)
     * @param bisectedCapacity largest passing length found by bisection (equals decodingCapacity
     *     without bisection)
     * @param theoreticalCapacity 16 d / log2|V|
     * @param saturatedRuns runs with best_accuracy <= 0.99 (the paper pools these for its gains)
     * @param meanTokenGainSaturated mean token gain over those runs (NaN if none)
     * @param meanInformationGainSaturated mean information gain (nats) over those runs (NaN if none)
     * @param utilisation meanTokenGainSaturated / theoreticalCapacity
     * @param records every run
     */
    public record Result(
            String modelId,
            int nMem,
            List<LengthStats> lengths,
            int decodingCapacity,
            int bisectedCapacity,
            double theoreticalCapacity,
            int saturatedRuns,
            double meanTokenGainSaturated,
            double meanInformationGainSaturated,
            double utilisation,
            List<RunRecord> records) {

        /** The result without the per-run records (for a summary file). */
        public Result withoutRecords() {
            return new Result(modelId, nMem, lengths, decodingCapacity, bisectedCapacity, theoreticalCapacity,
                    saturatedRuns, meanTokenGainSaturated, meanInformationGainSaturated, utilisation, List.of());
        }
    }

    private final CausalLM model;
    private final Tokenizer tokenizer;
    private final CramSettings settings;
    private final int nMem;
    private final List<Integer> grid;
    private final int bisectRounds;

    private Capacity(Builder b) {
        this.model = b.model;
        this.tokenizer = b.tokenizer;
        this.settings = b.settings;
        this.nMem = b.nMem;
        this.bisectRounds = b.bisectRounds;
        int maxLength = model.info().maxPositions() - nMem;
        // train.py also skips K > L (no more vectors than tokens)
        this.grid = b.lengths.stream().filter(l -> l >= 2 && l >= nMem && l <= maxLength).sorted().distinct().toList();
        if (grid.isEmpty()) {
            throw new CramException("no length in " + b.lengths + " fits: need max(2, K) <= L <= "
                    + maxLength + " (max positions " + model.info().maxPositions() + " - K " + nMem + ")");
        }
    }

    /** A search on {@code model}; texts are tokenised with {@code tokenizer}. */
    public static Builder builder(CausalLM model, TextTokenizer tokenizer) {
        return new Builder(model, Tokenizer.of(tokenizer));
    }

    /** A search with any {@link Tokenizer}. */
    public static Builder builder(CausalLM model, Tokenizer tokenizer) {
        return new Builder(model, tokenizer);
    }

    /** The grid lengths this search runs (the requested ones that fit K + L into the model). */
    public List<Integer> grid() {
        return grid;
    }

    /** Runs the search; {@code listener} sees every step and each finished run. */
    public Result run(List<Text> texts, RunListener listener) {
        if (texts.isEmpty()) {
            throw new CramException("capacity search needs at least one text, got none");
        }
        BatchedCrammer engine = new BatchedCrammer(model, settings);
        List<RunRecord> records = new ArrayList<>();
        for (int length : grid) {
            records.addAll(runLength(engine, texts, length, listener));
        }
        if (records.isEmpty()) { // never a capacity (0 with NaN means) from texts too short for every length
            int longest = texts.stream().mapToInt(t -> tokenizer.encode(t.text(), Integer.MAX_VALUE).length).max().orElse(0);
            throw new CramException("none of the " + texts.size() + " texts reaches the grid's shortest length "
                    + grid.get(0) + " tokens (the longest has " + longest + "): nothing to measure a capacity from");
        }
        int capacity = decodingCapacity(perLength(records), grid);
        int bisected = capacity;
        int above = grid.stream().filter(l -> l > capacity).findFirst().orElse(-1);
        if (capacity > 0 && above > 0) {
            int lo = capacity;
            int hi = above;
            for (int round = 0; round < bisectRounds && hi - lo > 1; round++) {
                int mid = (lo + hi) / 2;
                List<RunRecord> runs = runLength(engine, texts, mid, listener);
                records.addAll(runs);
                if (passes(runs)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            bisected = lo;
        }
        return summarise(model.info(), nMem, records, grid, capacity, bisected);
    }

    private List<RunRecord> runLength(BatchedCrammer engine, List<Text> texts, int length, RunListener listener) {
        List<CramTask> tasks = new ArrayList<>();
        for (Text t : texts) {
            int[] ids = tokenizer.encode(t.text(), length);
            if (ids.length == length) { // a shorter text would be a run at another length: skip it
                tasks.add(new CramTask(t.id(), t.source(), tokenizer.decode(ids), ids, nMem, null));
            }
        }
        return engine.run(tasks, listener).stream().map(CramResult::record).toList();
    }

    private static boolean passes(List<RunRecord> runs) {
        return !runs.isEmpty() && runs.stream().mapToDouble(rec -> rec.metrics().bestAccuracy()).average().orElse(0) >= THRESHOLD;
    }

    /** Per-length aggregates of {@code records}, ascending by length. */
    public static List<LengthStats> perLength(List<RunRecord> records) {
        Map<Integer, List<RunRecord>> by = new TreeMap<>();
        records.forEach(r -> by.computeIfAbsent(r.text().length(), l -> new ArrayList<>()).add(r));
        List<LengthStats> out = new ArrayList<>();
        by.forEach((length, runs) -> out.add(new LengthStats(
                length,
                runs.size(),
                runs.stream().mapToDouble(rec -> rec.metrics().bestAccuracy()).average().orElseThrow(),
                runs.stream().mapToDouble(rec -> rec.metrics().tokenGain()).average().orElseThrow(),
                runs.stream().mapToDouble(rec -> rec.metrics().informationGainNats()).average().orElseThrow(),
                passes(runs))));
        return out;
    }

    /** The paper's rule: the largest length of {@code grid} whose mean best accuracy is >= 0.99; 0 if none. */
    public static int decodingCapacity(List<LengthStats> stats, List<Integer> grid) {
        return stats.stream()
                .filter(s -> s.passed() && grid.contains(s.length()))
                .mapToInt(LengthStats::length)
                .max()
                .orElse(0);
    }

    /** Builds the result from records: aggregates, capacity, gains pooled over saturated runs. */
    public static Result summarise(
            ModelInfo info, int nMem, List<RunRecord> records, List<Integer> grid, int capacity, int bisected) {
        List<RunRecord> saturated = records.stream().filter(r -> r.metrics().bestAccuracy() <= THRESHOLD).toList();
        double tokenGain = saturated.stream().mapToDouble(rec -> rec.metrics().tokenGain()).average().orElse(Double.NaN);
        double infoGain = saturated.stream().mapToDouble(rec -> rec.metrics().informationGainNats()).average().orElse(Double.NaN);
        double theoretical = Metrics.theoreticalCapacity(info.hiddenSize(), info.vocabSize());
        return new Result(info.modelId(), nMem, perLength(records), capacity, bisected, theoretical,
                saturated.size(), tokenGain, infoGain, tokenGain / theoretical, List.copyOf(records));
    }

    /** Options of a capacity search. */
    public static final class Builder {
        private final CausalLM model;
        private final Tokenizer tokenizer;
        private CramSettings settings = CramSettings.paper();
        private int nMem = 1;
        private List<Integer> lengths = PAPER_GRID;
        private int bisectRounds;

        private Builder(CausalLM model, Tokenizer tokenizer) {
            this.model = model;
            this.tokenizer = tokenizer;
        }

        public Builder optSettings(CramSettings settings) {
            this.settings = settings;
            return this;
        }

        /** K, the number of memory vectors (default 1). */
        public Builder optMem(int nMem) {
            if (nMem < 1) {
                throw new CramException("number of memory vectors K must be >= 1, got " + nMem);
            }
            this.nMem = nMem;
            return this;
        }

        /** The length grid (default {@link #PAPER_GRID}); lengths with K + L beyond the model are dropped. */
        public Builder optLengths(List<Integer> lengths) {
            this.lengths = List.copyOf(lengths);
            return this;
        }

        /** Bisection rounds between the last passing and the first failing grid length (default 0). */
        public Builder optBisectRounds(int rounds) {
            this.bisectRounds = rounds;
            return this;
        }

        public Capacity build() {
            return new Capacity(this);
        }
    }

    /** Per-length mean best accuracy as a map (length to mean), for tables. */
    public static Map<Integer, Double> meanAccuracyByLength(List<LengthStats> stats) {
        Map<Integer, Double> m = new LinkedHashMap<>();
        stats.forEach(s -> m.put(s.length(), s.meanBestAccuracy()));
        return m;
    }
}
