package org.cramlab.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cramlab.capacity.CapacityRule;
import org.cramlab.capacity.SearchMethod;
import org.cramlab.capacity.Strategy;
import org.cramlab.text.TextSource;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.Metrics;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.cram.RunRecord;
import org.cramlab.report.Aggregates;
import org.cramlab.report.MeanStd;
import org.cramlab.text.TextSet;
import org.cramlab.text.TextSets;

/**
 * Decoding capacity at fixed K (the paper's "Max, tokens") as plans for the {@link ExperimentRunner}:
 * every text at every grid length it is long enough for, run into a run folder (so resume, sharding, Slurm
 * and progress are the runner's), then {@link Aggregates#decodingCapacity}. A {@link Strategy} decides,
 * from the records so far, which runs come next: {@code grid} runs the grid once; {@code grid+bisect} then
 * halves the gap between the capacity and the next grid length (the paper has no bisection; it is
 * reported beside the grid capacity, see {@link Aggregates#refinedCapacity}). The staged strategies
 * ({@link SearchMethod#staged}: {@code warm}, {@code bisect}, {@code progressive}, see {@link org.cramlab.capacity})
 * cram each text in warm-started stages through a {@link ProgressiveRunner} in the same run folder (each
 * finished stage persisted at once, resumed after a crash); the capacity rule is
 * {@link Aggregates#decodingCapacity} for every strategy.
 *
 * <pre>{@code
 * CapacitySearch search = CapacitySearch.builder(modelDir, modelId, texts).optMem(1).build();
 * try (RunFolder folder = RunFolder.open(out)) {
 *     CapacitySearch.Result r = search.run(runner, folder);
 * }
 * }</pre>
 *
 * @param name the plan's name
 * @param modelDir where the runner loads the model from
 * @param modelId the model's name in records
 * @param texts the texts, each with its token count (a text runs only at lengths it has tokens for)
 * @param grid the lengths searched, ascending
 * @param nMem K
 * @param seed memory-init seed of every run
 * @param settings optimiser settings of every run
 * @param method the strategy and its parameters
 */
public record CapacitySearch(
        String name, String modelDir, String modelId, List<Candidate> texts, List<Integer> grid, int nMem, long seed,
        OptimiserSettings settings, SearchMethod method) {

    /**
     * A text of the search.
     *
     * @param text how the runner finds it
     * @param tokens how many tokens it has (special tokens included): it runs at lengths up to this
     */
    public record Candidate(TextSpec text, int tokens) {}

    /**
     * Which grid runs come next, given the records of the runs so far (any order); none: finished. A function
     * of those records alone, so a search resumed from its run folder replays the same rounds and computes only
     * what is missing: grid runs every grid length once; grid refinement then halves, round by round, the gap
     * between the capacity and the next grid length.
     */
    private List<RunSpec> nextGridRuns(List<RunRecord> done) {
        if (done.isEmpty()) return gridRuns();
        if (method.strategy() != Strategy.GRID_REFINEMENT) return List.of();
        int capacity = Aggregates.decodingCapacity(done, grid).orElse(0);
        int lo = capacity;
        int hi = grid.stream().filter(l -> l > capacity).findFirst().orElse(-1);
        if (lo == 0 || hi < 0) return List.of();
        for (int round = 0; round < method.bisectRounds() && hi - lo > 1; round++) {
            int mid = (lo + hi) / 2;
            List<RunRecord> at = done.stream().filter(r -> r.text().length() == mid).toList();
            List<RunSpec> runs = runsAt(mid);
            if (at.size() < runs.size()) return runs; // this round's runs are next
            if (Aggregates.decodingCapacity(at).isPresent()) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return List.of();
    }

    public CapacitySearch {
        if (texts.isEmpty()) throw new ExperimentException("capacity search '" + name + "' needs at least one text, got none");
        if (nMem < 1) throw new ExperimentException("number of memory vectors K must be >= 1, got " + nMem);
        texts = List.copyOf(texts);
        grid = grid.stream().sorted().distinct().toList();
        if (grid.isEmpty() || grid.get(0) < 2) {
            throw new ExperimentException("capacity search '" + name + "': grid lengths must be >= 2, got " + grid);
        }
        int longest = texts.stream().mapToInt(Candidate::tokens).max().orElse(0);
        if (longest < grid.get(0)) { // never a capacity (0 with NaN means) from texts too short for every length
            throw new ExperimentException("none of the " + texts.size() + " texts reaches the grid's shortest length "
                    + grid.get(0) + " tokens (the longest has " + longest + "): nothing to measure a capacity from");
        }
    }

    /**
     * The first {@code limit} texts of a file with their token counts: a {@code .csv} in the paper's chunk
     * format (source {@code csv}, the second half of each chunk's sentences, as its {@code train.py}), else one
     * text per line ({@code lines}; {@code .jsonl}: the {@code text} field).
     */
    public static List<Candidate> candidates(Path file, int limit, TextTokenizer tokenizer) {
        boolean csv = file.getFileName().toString().endsWith(".csv");
        String path = file.toAbsolutePath().normalize().toString();
        TextSet set = csv ? TextSets.chunkCsv(file, tokenizer, Integer.MAX_VALUE, limit)
                : TextSets.lines(file, tokenizer, Integer.MAX_VALUE, limit);
        List<Candidate> out = new ArrayList<>();
        Map<String, Integer> named = new HashMap<>();
        for (int i = 0; i < set.size(); i++) {
            String id = set.get(i).id();
            if (set.get(i).text().isBlank()) {
                throw new ExperimentException("texts file " + file + " text " + id + " is empty: expected a non-empty 'text'");
            }
            // a .jsonl text's own "id" names it in the records (the paper's CSV chunks and plain lines stay unnamed)
            String name = csv || id.equals(TextSets.lineId(file, i)) ? null : id;
            Integer before = name == null ? null : named.putIfAbsent(name, i);
            if (before != null) {
                throw new ExperimentException("texts file " + file + ": texts " + (before + 1) + " and " + (i + 1)
                        + " have the same id '" + name + "': expected unique ids");
            }
            out.add(new Candidate(new TextSpec(csv ? TextSource.CSV : TextSource.LINES, path, i, 0, name),
                    set.get(i).tokenIds().length));
        }
        if (out.isEmpty()) throw new ExperimentException("texts file " + file + " holds no texts");
        return out;
    }

    /** The runs at {@code length}: every text with at least that many tokens. */
    public List<RunSpec> runsAt(int length) {
        List<RunSpec> runs = new ArrayList<>();
        for (Candidate c : texts) {
            if (c.tokens() >= length) runs.add(new RunSpec(modelDir, modelId, c.text(), length, nMem, seed, settings));
        }
        return runs;
    }

    /** Every text at every grid length it has tokens for: the first stage of every strategy. */
    public List<RunSpec> gridRuns() {
        List<RunSpec> runs = new ArrayList<>();
        grid.forEach(l -> runs.addAll(runsAt(l)));
        return runs;
    }

    /**
     * The grid stage as a plan naming this search's strategy (grid+bisect: grid), e.g. for {@code sweep --slurm};
     * a later {@link #run} finds its records.
     */
    public ExperimentPlan gridPlan() {
        ExperimentPlan plan = new ExperimentPlan(name, gridRuns());
        return method.isStaged() ? plan.withMethod(method) : plan;
    }

    /**
     * The search a plan describes ({@link #gridPlan} read back, e.g. by {@code sweep}): its texts in plan order,
     * each as long as the longest grid length it is listed at (so a staged text stops at the grid's longest
     * length it reaches, as in {@link StagedCapacityRun}), the grid, K, seed, settings and strategy. Every run must
     * share model, K, seed and settings; a one-line error names the first that differs.
     */
    public static CapacitySearch fromPlan(ExperimentPlan plan) {
        if (plan.runs().isEmpty()) throw new ExperimentException("plan '" + plan.name() + "' has no runs: nothing to search");
        RunSpec first = plan.runs().get(0);
        Map<TextSpec, Integer> longest = new LinkedHashMap<>();
        for (RunSpec r : plan.runs()) {
            if (!r.modelId().equals(first.modelId()) || !Objects.equals(r.modelDir(), first.modelDir())
                    || r.nMem() != first.nMem() || r.seed() != first.seed() || !r.settings().equals(first.settings())) {
                throw new ExperimentException("plan '" + plan.name() + "' is not one capacity search: run " + r.runId()
                        + " differs from the first run in model, K, seed or settings");
            }
            longest.merge(r.text(), r.length(), Math::max);
        }
        List<Candidate> texts = new ArrayList<>();
        longest.forEach((t, l) -> texts.add(new Candidate(t, l)));
        SearchMethod method = plan.method();
        return new CapacitySearch(plan.name(), first.modelDir(), first.modelId(), texts,
                plan.runs().stream().map(RunSpec::length).distinct().toList(), first.nMem(), first.seed(), first.settings(), method);
    }

    /**
     * Shard {@code index} of {@code count} of a staged search: the texts at positions {@code index} modulo
     * {@code count} (a staged text's stages are a chain, so texts, not runs, are what shards split). Each
     * shard's capacity is of its texts only; the search over all texts, run again in the same folder once
     * every shard is done, computes nothing and summarises them all. A shard of a repairing search runs the
     * staged pass only: repair decides from every text's accuracies at a length, so it runs in that last,
     * whole search (the stages are keyed without the repair flag, so it finds the shards' stages).
     */
    public CapacitySearch shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new ExperimentException("shard must be i/n with 0 <= i < n, got " + index + "/" + count);
        }
        List<Candidate> mine = new ArrayList<>();
        for (int i = index; i < texts.size(); i += count) mine.add(texts.get(i));
        if (mine.isEmpty()) {
            throw new ExperimentException("shard " + index + "/" + count + " of '" + name + "' has no texts (the search has "
                    + texts.size() + "): use at most " + texts.size() + " shards");
        }
        return new CapacitySearch(name, modelDir, modelId, mine, grid, nMem, seed, settings, method.withoutRepair());
    }

    /** Runs the search's stages into {@code folder} (skipping every run or stage already there) and summarises. */
    public Result run(ExperimentRunner runner, RunFolder folder) {
        if (method.isStaged()) return StagedCapacityRun.run(this, runner, folder);
        List<RunSpec> planned = new ArrayList<>();
        while (true) {
            List<RunSpec> next = nextGridRuns(folder.records().of(new ExperimentPlan(name, planned)));
            next = next.stream().filter(r -> !planned.contains(r)).toList();
            if (next.isEmpty()) break;
            planned.addAll(next);
            runner.run(new ExperimentPlan(name, planned), folder);
        }
        return result(folder.records().of(new ExperimentPlan(name, planned)));
    }

    /** The summary of this search's records (the paper's rule and Table 1's gains over the saturated runs). */
    public Result result(List<RunRecord> records) {
        if (records.isEmpty()) throw new ExperimentException("capacity search '" + name + "' has no finished runs");
        RunRecord.Environment env = records.get(0).environment();
        double theoretical = Metrics.theoreticalCapacity(env.hiddenSize(), env.vocabSize());
        MeanStd tokenGain = Aggregates.tokenGain(records);
        long saturated = records.stream().filter(Aggregates.SATURATED).count();
        return new Result(modelId, nMem, method.name(), Aggregates.perLength(records),
                Aggregates.decodingCapacity(records, grid).orElse(0), Aggregates.refinedCapacity(records, grid),
                theoretical, (int) saturated, tokenGain.mean(), Aggregates.informationGain(records).mean(),
                tokenGain.mean() / theoretical,
                records.stream().mapToLong((RunRecord r) -> r.trajectory().steps()).sum());
    }

    /**
     * The outcome of a capacity search.
     *
     * @param modelId model
     * @param nMem K
     * @param strategy how the lengths were chosen
     * @param lengths per-length aggregates, grid and refinement lengths, ascending
     * @param decodingCapacity largest grid length whose mean best accuracy >= 0.99 (0: none)
     * @param bisectedCapacity the capacity refined by the lengths run between grid points (equals
     *     decodingCapacity without them)
     * @param theoreticalCapacity 16 d / log2|V|
     * @param saturatedRuns runs with best_accuracy {@literal <=} 0.99 (the paper pools these for its gains)
     * @param meanTokenGainSaturated mean token gain over those runs (NaN if none)
     * @param meanInformationGainSaturated mean information gain (nats) over those runs (NaN if none)
     * @param utilisation meanTokenGainSaturated / theoreticalCapacity
     * @param optimisationSteps forward/backward steps spent over all runs or stages (records read back included)
     */
    public record Result(
            String modelId, int nMem, String strategy, List<Aggregates.LengthStats> lengths, int decodingCapacity,
            int bisectedCapacity, double theoreticalCapacity, int saturatedRuns, double meanTokenGainSaturated,
            double meanInformationGainSaturated, double utilisation, long optimisationSteps) {}

    public static Builder builder(String modelDir, String modelId, List<Candidate> texts) {
        return new Builder(modelDir, modelId, texts);
    }

    /** Options; defaults: K = 1, the paper's grid and optimiser, seed 0, the grid strategy. */
    public static final class Builder {
        private final String modelDir;
        private final String modelId;
        private final List<Candidate> texts;
        private String name = "capacity";
        private List<Integer> grid = Profile.paper().lengths();
        private int nMem = 1;
        private long seed;
        private OptimiserSettings settings = OptimiserSettings.paper();
        private SearchMethod method = SearchMethod.grid();
        private int maxPositions = Integer.MAX_VALUE;

        private Builder(String modelDir, String modelId, List<Candidate> texts) {
            this.modelDir = modelDir;
            this.modelId = modelId;
            this.texts = texts;
        }

        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** The length grid (default: the paper's, {@code Profile.paper().lengths()}). */
        public Builder optLengths(List<Integer> lengths) {
            this.grid = List.copyOf(lengths);
            return this;
        }

        /** K, the number of memory vectors (default 1). */
        public Builder optMem(int nMem) {
            this.nMem = nMem;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder optSettings(OptimiserSettings settings) {
            this.settings = settings;
            return this;
        }

        public Builder optStrategy(SearchMethod method) {
            this.method = method;
            return this;
        }

        /** The model's positions: lengths with K + L beyond them are dropped from the grid. */
        public Builder optMaxPositions(int maxPositions) {
            this.maxPositions = maxPositions;
            return this;
        }

        public CapacitySearch build() {
            // train.py also skips K > L (no more vectors than tokens)
            List<Integer> fits = CapacityRule.fittingLengths(grid, nMem, maxPositions);
            if (fits.isEmpty()) {
                throw new ExperimentException("no length in " + grid + " fits: need max(2, K) <= L <= " + (maxPositions - nMem)
                        + " (max positions " + maxPositions + " - K " + nMem + ")");
            }
            return new CapacitySearch(name, modelDir, modelId, texts, fits, nMem, seed, settings, method);
        }
    }
}
