package org.cramlab.capacity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramException;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunListener;
import org.cramlab.cram.RunRecord;
import org.cramlab.model.CausalLM;

/**
 * A capacity search on a loaded model, in memory (no run folder: the library and {@code bench capacity}; the
 * run layer's {@code CapacitySearch} persists the same search): the paper's decoding capacity
 * ({@link CapacityRule}) found by one of {@link #STRATEGIES}, reporting the optimisation steps it spent.
 * The staged strategies use the stage settings (a per-stage step budget, normally far below the grid's
 * 5000/2000) and the greedy criterion, and are scored by {@link StagedScoring}; with
 * {@link Builder#optRepair} their capacity boundary is then repaired ({@link Repair}).
 */
public final class InMemorySearch {
    /** The strategies this search runs (grid refinement is a run-folder search: {@code CapacitySearch}). */
    public static final List<Strategy> STRATEGIES =
            List.of(Strategy.GRID, Strategy.WARM_STAGED, Strategy.BISECTION, Strategy.PROGRESSIVE);

    private final CausalLM model;
    private final SearchTokenizer tokenizer;
    private final CramSettings gridSettings;
    private final CramSettings stageSettings;
    private final int nMem;
    private final List<Integer> grid;
    private final int grow;
    private final boolean restart;
    private final boolean repair;

    private InMemorySearch(Builder b) {
        this.model = b.model;
        this.tokenizer = b.tokenizer;
        this.gridSettings = b.gridSettings;
        this.stageSettings = b.stageSettings;
        this.nMem = b.nMem;
        this.grow = b.grow;
        this.restart = b.restart;
        this.repair = b.repair;
        int maxLength = model.info().maxPositions() - nMem;
        this.grid = CapacityRule.fittingLengths(b.lengths, nMem, model.info().maxPositions()).stream().sorted().distinct().toList();
        if (grid.isEmpty()) {
            throw new CramException("no length in " + b.lengths + " fits: need max(2, K) <= L <= " + maxLength);
        }
    }

    public static Builder builder(CausalLM model, SearchTokenizer tokenizer) {
        return new Builder(model, tokenizer);
    }

    public List<Integer> grid() {
        return grid;
    }

    /** Runs {@code strategy} on {@code texts}; the listener sees every step (and the grid's finished runs). */
    public SearchResult run(Strategy strategy, List<SearchText> texts, ProgressiveCrammer.Listener listener) {
        if (texts.isEmpty()) {
            throw new CramException("capacity search needs at least one text, got none");
        }
        if (!STRATEGIES.contains(strategy)) {
            throw new CramException("strategy '" + strategy.label() + "' needs a run folder (run.CapacitySearch); in memory: "
                    + "grid, warm, bisect or progressive");
        }
        long start = System.nanoTime();
        SearchResult r = strategy == Strategy.GRID ? grid(texts, listener) : staged(strategy, texts, listener, start);
        return r.withWallSeconds((System.nanoTime() - start) / 1e9);
    }

    private SearchResult grid(List<SearchText> texts, RunListener listener) {
        List<CramTask> tasks = new ArrayList<>();
        for (int length : grid) {
            for (SearchText t : texts) {
                int[] ids = tokenizer.encode(t.text(), length);
                if (ids.length == length) { // a shorter text would be a run at another length: skip it
                    tasks.add(new CramTask(t.id(), t.source(), tokenizer.decode(ids), ids, nMem, null));
                }
            }
        }
        List<RunRecord> records = new BatchedCrammer(model, gridSettings).run(tasks, listener).stream()
                .map(CramResult::record).toList();
        Map<String, Map<Integer, Double>> acc = new LinkedHashMap<>();
        Map<String, Integer> horizons = new LinkedHashMap<>();
        for (RunRecord r : records) {
            acc.computeIfAbsent(r.text().textId(), k -> new TreeMap<>()).put(r.text().length(), r.metrics().bestAccuracy());
            int h = r.metrics().greedyPrefixLength() < 0 ? 0 : r.metrics().greedyPrefixLength() + 1;
            horizons.merge(r.text().textId(), h, Math::max);
        }
        List<LengthMean> stats = CapacityRule.perLength(acc, grid);
        long steps = records.stream().mapToLong((RunRecord x) -> x.trajectory().steps()).sum();
        return new SearchResult(Strategy.GRID, grid, stats, CapacityRule.decodingCapacity(stats, null).orElse(0), steps, 0, 0, horizons, acc,
                records, List.of(), null);
    }

    private SearchResult staged(Strategy strategy, List<SearchText> texts, ProgressiveCrammer.Listener listener, long start) {
        int maxGrid = grid.get(grid.size() - 1);
        List<ProgressiveCrammer.Task> tasks = new ArrayList<>();
        for (SearchText t : texts) {
            tasks.add(new ProgressiveCrammer.Task(t.id(), t.source(), tokenizer.encode(t.text(), maxGrid), nMem,
                    stageSettings.seed()));
        }
        Map<String, Map<Integer, float[]>> memories = new LinkedHashMap<>();
        List<ProgressiveRecord> records = crammer(strategy).run(tasks, StagedScoring.collecting(memories, listener));
        SearchResult staged = scoring().fromStages(strategy, records, memories).withWallSeconds((System.nanoTime() - start) / 1e9);
        if (!repair) return staged;
        BatchedCrammer gridEngine = new BatchedCrammer(model, gridSettings);
        return new Repair(scoring()).run(staged, memories, new RepairRuns() {
            @Override
            public Retry gridRun(ProgressiveRecord text, int length) {
                int[] ids = Arrays.copyOf(text.tokenIds(), length); // = the grid's encode(text, length): a prefix
                CramTask task = new CramTask(text.textId(), text.textSource(), tokenizer == null ? null : tokenizer.decode(ids),
                        ids, nMem, null);
                CramResult r = gridEngine.run(List.of(task), listener).get(0);
                return new Retry(r.record(), r.bestMemory());
            }

            @Override
            public List<ProgressiveRecord> stages(List<ProgressiveCrammer.Task> resumed, ProgressiveCrammer.Listener l) {
                return crammer(strategy).run(resumed, l);
            }
        }, listener);
    }

    /** The staged strategies' scoring on this search's model, K, grid and stage settings. */
    private StagedScoring scoring() {
        return new StagedScoring(model, nMem, grid, stageSettings);
    }

    /** The engine of a staged strategy on this search's model, grid and stage settings. */
    public ProgressiveCrammer crammer(Strategy strategy) {
        return StagedSchedule.crammer(model, strategy, grid, stageSettings, grow, restart);
    }

    /** Options: K, grid, the grid's settings and the stages' settings. */
    public static final class Builder {
        private final CausalLM model;
        private final SearchTokenizer tokenizer;
        private CramSettings gridSettings = CramSettings.paper();
        private CramSettings stageSettings = CramSettings.builder().optMaxSteps(SearchMethod.DEFAULT_STAGE_STEPS)
                .optPatience(SearchMethod.DEFAULT_STAGE_PATIENCE).build();
        private int nMem = 1;
        private List<Integer> lengths = CapacityRule.PAPER_GRID;
        private int grow = SearchMethod.DEFAULT_GROW;
        private boolean restart;
        private boolean repair = SearchMethod.DEFAULT_REPAIR;

        private Builder(CausalLM model, SearchTokenizer tokenizer) {
            this.model = model;
            this.tokenizer = tokenizer;
        }

        /** Settings of every grid run (default: the paper's, 5000 steps, patience 2000). */
        public Builder optGridSettings(CramSettings s) {
            this.gridSettings = s;
            return this;
        }

        /** Settings of every stage of the staged strategies: its step budget and patience (default
         * {@link SearchMethod#DEFAULT_STAGE_STEPS} / {@link SearchMethod#DEFAULT_STAGE_PATIENCE}). */
        public Builder optStageSettings(CramSettings s) {
            this.stageSettings = s;
            return this;
        }

        public Builder optMem(int nMem) {
            if (nMem < 1) throw new CramException("number of memory vectors K must be >= 1, got " + nMem);
            this.nMem = nMem;
            return this;
        }

        /** The grid (default: the paper's); lengths with K + L beyond the model are dropped. */
        public Builder optLengths(List<Integer> lengths) {
            this.lengths = List.copyOf(lengths);
            return this;
        }

        /** Tokens added per progressive stage (default 1). */
        public Builder optGrow(int n) {
            if (n < 1) throw new CramException("progressive stages must grow by >= 1 token, got " + n);
            this.grow = n;
            return this;
        }

        /** Staged strategies: retry a failed warm-started stage once from a random memory (default false). */
        public Builder optRestartOnFailure(boolean restart) {
            this.restart = restart;
            return this;
        }

        /**
         * Staged strategies: after the staged pass, repair the capacity boundary with the grid's own runs
         * at the failing lengths (see {@link Repair}; default {@link SearchMethod#DEFAULT_REPAIR}).
         */
        public Builder optRepair(boolean repair) {
            this.repair = repair;
            return this;
        }

        public InMemorySearch build() {
            return new InMemorySearch(this);
        }
    }
}
