package org.cramlab.cram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import org.cramlab.model.CausalLM;

/**
 * The paper's decoding capacity (the largest grid length whose mean best teacher-forced accuracy over
 * the texts is {@literal >=} 0.99) found by one of four strategies, each reporting the optimisation
 * steps it spent:
 *
 * <ul>
 *   <li>{@code grid}: the paper: every (text, grid length) from a random memory, full budget each;
 *   <li>{@code warm}: per text, the grid lengths in order, each warm-started from the best memory of the
 *       previous (shorter) length, whose tokens are a prefix; a text stops at its first failing length;
 *   <li>{@code bisect}: per text, doubling from the first grid length, then bisection between the longest
 *       pass and the shortest failure, warm-started;
 *   <li>{@code progressive}: per text, grow by N tokens (default 1) from 2, warm-started, stop at the
 *       first failure (Progressive Cramming).
 * </ul>
 *
 * <p>The staged strategies ({@code warm}, {@code bisect}, {@code progressive}) use the stage settings
 * (a per-stage step budget, normally far below the grid's 5000/2000) and the greedy criterion. Their
 * accuracy at a grid length L, per text: the best accuracy of the stage run at exactly L; else 1.0 if
 * a stage at least L long decoded exactly (an exact memory is exact on every prefix: the model is
 * causal); else the best teacher-forced accuracy on the first L tokens of the memories of the nearest
 * stages below and above L, measured by one forward each ({@link Result#evaluationForwards()}, not
 * optimisation steps). Above a text's first failure that is an estimate: the grid would optimise
 * from scratch there with its full budget. The benchmark compares the capacities.
 *
 * <p><b>Repair</b> ({@link Builder#optRepair}, off by default): a staged text stops at its first failing
 * stage, and the paper's rule needs essentially every text exact at a length, so one text whose
 * warm-started stage fails (while the grid, from scratch with its larger budget, solves it) pulls the
 * capacity down. Repair re-runs, at the failing grid lengths near the boundary, exactly the grid's run
 * (its settings, budget and seed, from a random memory) for the texts below 1.0 there, likeliest failure
 * first, and stops at a length as soon as it passes or can no longer pass even if every remaining retry
 * succeeded; a repaired text that decodes continues its staged schedule warm-started from the repaired
 * memory. See {@link #repair} for the lengths it looks at and where this differs from the paper.
 */
public final class CapacityStrategies {

    /** The paper's PG-19 length grid (union over its models). */
    public static final List<Integer> PAPER_GRID = List.of(
            8, 16, 32, 64, 80, 96, 128, 160, 192, 256, 384, 512, 768, 1024, 1280, 1568, 2048, 2560, 3072);

    /** A length passes when the mean best accuracy over its texts is at least this (the paper's "lossless"). */
    public static final double LOSSLESS = 0.99;

    /**
     * A text of a search.
     *
     * @param id id within its set
     * @param source its source ("book", "stories", ...)
     * @param text the whole text; runs use its first L tokens
     */
    public record Text(String id, String source, String text) {}

    /** How a search turns a text into its first L token ids and back. */
    public interface Tokenizer {
        /** The first {@code maxLength} ids of {@code text}, special tokens included (HF truncation). */
        int[] encode(String text, int maxLength);

        /** The text of {@code ids}, special tokens dropped. */
        String decode(int[] ids);

        /** A model's tokenizer, adding its special tokens (BOS for Llama) as the paper's runs do. */
        static Tokenizer of(org.cramlab.checkpoint.TextTokenizer tokenizer) {
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
     * One grid length: how many texts ran there, their mean best accuracy, and whether it passes.
     *
     * @param length L
     * @param runs texts with at least L tokens
     * @param meanBestAccuracy mean best (for staged strategies: measured, implied or evaluated) accuracy
     * @param passed meanBestAccuracy >= 0.99
     */
    public record LengthStats(int length, int runs, double meanBestAccuracy, boolean passed) {}

    /** Per grid length, the mean of {@code accuracy} (text id to length to accuracy). */
    static List<LengthStats> perLength(Map<String, Map<Integer, Double>> accuracy, List<Integer> grid) {
        List<LengthStats> out = new ArrayList<>();
        for (int length : grid) {
            double[] v = accuracy.values().stream().filter(m -> m.containsKey(length)).mapToDouble(m -> m.get(length)).toArray();
            if (v.length > 0) {
                double mean = Arrays.stream(v).average().orElseThrow();
                out.add(new LengthStats(length, v.length, mean, mean >= LOSSLESS));
            }
        }
        return out;
    }

    /** The paper's rule: the largest passing grid length; 0 if none. */
    static int decodingCapacity(List<LengthStats> stats) {
        return stats.stream().filter(LengthStats::passed).mapToInt(LengthStats::length).max().orElse(0);
    }

    /**
     * Repair: grid lengths looked at past one that cannot pass before the repair ends (the paper's rule is not
     * monotone near the boundary; one grid step is also the benchmark's tolerance).
     */
    public static final int LOOKAHEAD = 1;

    /** How the capacity is searched. */
    public enum Strategy {
        GRID, WARM, BISECT, PROGRESSIVE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a strategy name (case-insensitive), naming the valid ones on error. */
        public static Strategy parse(String s) {
            for (Strategy x : values()) {
                if (x.label().equalsIgnoreCase(s.strip())) return x;
            }
            throw new CramException("strategy must be one of grid, warm, bisect, progressive; got '" + s + "'");
        }
    }

    /**
     * The outcome of one strategy.
     *
     * @param strategy which strategy
     * @param grid the grid lengths
     * @param lengths per grid length: texts, mean best accuracy, passed
     * @param capacity the largest passing grid length (0: none)
     * @param optimisationSteps forward/backward steps over all runs and stages (forward passes, as
     *     {@link RunRecord#steps()})
     * @param evaluationForwards forward-only evaluations of stage memories at grid lengths
     * @param wallSeconds wall time of the search
     * @param horizons per text id, the longest prefix a memory of the search decodes greedily (units of L)
     * @param accuracy per text id, its accuracy at each grid length (as used for the means)
     * @param runs the grid's run records (grid strategy), or the repair's from-scratch grid runs (staged)
     * @param staged the staged strategies' per-text records (with repair: including each repair as a stage
     *     with {@code warmFrom} 0 and the grid run's steps, and the stages that continued from it)
     * @param unrepaired with repair: the staged strategy's result before the repair (its capacity, steps,
     *     wall time); null otherwise
     */
    public record Result(
            Strategy strategy,
            List<Integer> grid,
            List<LengthStats> lengths,
            int capacity,
            long optimisationSteps,
            long evaluationForwards,
            double wallSeconds,
            Map<String, Integer> horizons,
            Map<String, Map<Integer, Double>> accuracy,
            List<RunRecord> runs,
            List<ProgressiveRecord> staged,
            Result unrepaired) {

        /** This result with {@code seconds} as its wall time. */
        Result withWallSeconds(double seconds) {
            return new Result(strategy, grid, lengths, capacity, optimisationSteps, evaluationForwards, seconds, horizons,
                    accuracy, runs, staged, unrepaired);
        }
    }

    private final CausalLM model;
    private final Tokenizer tokenizer;
    private final CramSettings gridSettings;
    private final CramSettings stageSettings;
    private final int nMem;
    private final List<Integer> grid;
    private final int grow;
    private final boolean restart;
    private final boolean repair;

    private CapacityStrategies(Builder b) {
        this.model = b.model;
        this.tokenizer = b.tokenizer;
        this.gridSettings = b.gridSettings;
        this.stageSettings = b.stageSettings;
        this.nMem = b.nMem;
        this.grow = b.grow;
        this.restart = b.restart;
        this.repair = b.repair;
        int maxLength = model.info().maxPositions() - nMem;
        this.grid = b.lengths.stream().filter(l -> l >= 2 && l >= nMem && l <= maxLength).sorted().distinct().toList();
        if (grid.isEmpty()) {
            throw new CramException("no length in " + b.lengths + " fits: need max(2, K) <= L <= " + maxLength);
        }
    }

    public static Builder builder(CausalLM model, Tokenizer tokenizer) {
        return new Builder(model, tokenizer);
    }

    public List<Integer> grid() {
        return grid;
    }

    /** Runs {@code strategy} on {@code texts}; the listener sees every step (and the grid's finished runs). */
    public Result run(Strategy strategy, List<Text> texts, ProgressiveCrammer.Listener listener) {
        if (texts.isEmpty()) {
            throw new CramException("capacity search needs at least one text, got none");
        }
        long start = System.nanoTime();
        Result r = strategy == Strategy.GRID ? grid(texts, listener) : staged(strategy, texts, listener, start);
        return r.withWallSeconds((System.nanoTime() - start) / 1e9);
    }

    private Result grid(List<Text> texts, RunListener listener) {
        List<CramTask> tasks = new ArrayList<>();
        for (int length : grid) {
            for (Text t : texts) {
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
        List<LengthStats> stats = perLength(acc, grid);
        long steps = records.stream().mapToLong((RunRecord x) -> x.trajectory().steps()).sum();
        return new Result(Strategy.GRID, grid, stats, decodingCapacity(stats), steps, 0, 0, horizons, acc,
                records, List.of(), null);
    }

    private Result staged(Strategy strategy, List<Text> texts, ProgressiveCrammer.Listener listener, long start) {
        int maxGrid = grid.get(grid.size() - 1);
        List<ProgressiveCrammer.Task> tasks = new ArrayList<>();
        for (Text t : texts) {
            tasks.add(new ProgressiveCrammer.Task(t.id(), t.source(), tokenizer.encode(t.text(), maxGrid), nMem,
                    stageSettings.seed()));
        }
        Map<String, Map<Integer, float[]>> memories = new LinkedHashMap<>();
        List<ProgressiveRecord> records = crammer(strategy).run(tasks, collecting(memories, listener));
        Result staged = fromStages(strategy, records, memories).withWallSeconds((System.nanoTime() - start) / 1e9);
        if (!repair) return staged;
        BatchedCrammer gridEngine = new BatchedCrammer(model, gridSettings);
        return repair(staged, memories, new Repairer() {
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

    /** A listener that keeps every stage's best memory (text id to length) and passes all calls on. */
    static ProgressiveCrammer.Listener collecting(Map<String, Map<Integer, float[]>> memories, ProgressiveCrammer.Listener listener) {
        return new ProgressiveCrammer.Listener() {
            @Override
            public void onStep(RunListener.Step p) {
                listener.onStep(p);
            }

            @Override
            public void onFinished(CramResult result) {
                listener.onFinished(result);
            }

            @Override
            public void onStage(ProgressiveCrammer.Task task, ProgressiveRecord.Stage stage, float[] memory) {
                memories.computeIfAbsent(task.textId(), k -> new TreeMap<>()).put(stage.length(), memory);
                listener.onStage(task, stage, memory);
            }

            @Override
            public void onText(ProgressiveRecord record) {
                listener.onText(record);
            }
        };
    }

    /**
     * One from-scratch grid run of a repair.
     *
     * @param record its run record (the grid's run: settings, budget, seed)
     * @param memory its best memory, row-major [K, d]
     * @param memoryFile where it is saved, relative to a run folder (null: not saved)
     */
    public record Retry(RunRecord record, float[] memory, String memoryFile) {
        public Retry(RunRecord record, float[] memory) {
            this(record, memory, null);
        }
    }

    /** How a repair does its work: in memory (library, bench) or persisted in a run folder (CapacitySearch). */
    public interface Repairer {
        /** The grid's run of {@code text}'s first {@code length} tokens: from a random memory, the grid's settings and seed. */
        Retry gridRun(ProgressiveRecord text, int length);

        /**
         * Continues the staged schedule of resumed texts (each {@link ProgressiveCrammer.Task#done} ends in a passed
         * repair stage; {@link ProgressiveCrammer.Task#memories} holds its memory); records in task order.
         */
        List<ProgressiveRecord> stages(List<ProgressiveCrammer.Task> resumed, ProgressiveCrammer.Listener listener);
    }

    /**
     * Repairs a staged result's capacity boundary. A grid length is repaired by retrying its texts below
     * accuracy 1.0, one at a time, each by exactly the grid's run there ({@link Repairer#gridRun}: from a random
     * memory, the grid's settings, budget and seed; texts whose grid run already failed at another length
     * first, being the likeliest to fail again, then the lowest accuracy first). The retries stop as soon as
     * the length passes (the mean over texts, each at the better of its staged and its retried accuracy,
     * reaches 0.99) or can no longer pass: the mean with every remaining retry counted as 1.0 is below 0.99.
     * A retried text whose run decodes exactly (at a length that passes) continues its staged schedule
     * warm-started from that memory (the run is recorded as a stage of the text, {@code warmFrom} 0) when a
     * longer length first needs it retried, before (and, if it reaches that length, instead of) a grid run.
     *
     * <p>Which lengths: the rule (the largest passing length) is not monotone near the boundary: on
     * stories260K the grid itself fails at 8 (one text 6/7) and passes at 12 (that text 10/11, mean 0.9924).
     * So from the shortest failing length F, the window of F and the {@link #LOOKAHEAD} failing-or-not lengths
     * above it is repaired longest first; a pass at L makes the window's shorter lengths moot (the capacity
     * is at least L), and the next window starts at the shortest failing length above L. The repair ends when
     * no length of a window can pass. Every step is counted: the staged pass's, the retries' and the
     * continued stages'.
     *
     * <p>Where this differs from the paper: the paper runs every (text, length) from scratch and reads each
     * text's best accuracy of that one run. Here a text's accuracy at L is the better of its warm-started
     * stage and (if retried) the grid's run there, i.e. up to two attempts; texts that pass their staged
     * stage are not run from scratch; lengths below a passing one are not repaired; and the search ends at a
     * window of {@code LOOKAHEAD + 1} lengths that cannot pass (the grid runs every longer length too, where a
     * pass further up is possible but rare: those lengths keep their staged estimates).
     *
     * @param staged the staged strategy's result ({@link #fromStages})
     * @param memories every stage's best memory, text id to length ([K, d]); updated with the repairs'
     * @param io runs the retries and the continued stages
     * @param listener sees the continued stages
     */
    public Result repair(Result staged, Map<String, Map<Integer, float[]>> memories, Repairer io, ProgressiveCrammer.Listener listener) {
        long start = System.nanoTime();
        Repairing r = new Repairing(staged, memories, io, listener);
        int frontier = r.firstFailingAbove(0);
        while (frontier >= 0) {
            // the window: the first failing length and the LOOKAHEAD lengths above it, the longest first (a pass
            // there makes the shorter ones moot: the capacity is the largest passing length)
            List<Integer> window = r.lengthsFrom(frontier, LOOKAHEAD + 1);
            int passed = -1;
            for (int i = window.size() - 1; i >= 0 && passed < 0; i--) {
                if (r.passes(window.get(i))) passed = window.get(i);
            }
            if (passed < 0) break; // LOOKAHEAD + 1 lengths in a row cannot pass: the lengths above keep their estimates
            frontier = r.firstFailingAbove(passed);
        }
        memories.clear();
        memories.putAll(r.mem);
        Result cur = r.cur;
        double seconds = staged.wallSeconds() + (System.nanoTime() - start) / 1e9;
        return new Result(cur.strategy(), grid, cur.lengths(), cur.capacity(), cur.optimisationSteps(), r.evaluations, seconds,
                cur.horizons(), cur.accuracy(), List.copyOf(r.runs), cur.staged(), staged);
    }

    /** The state of one {@link #repair}: the texts' records and memories as the retries and continued stages change them. */
    private final class Repairing {
        final Strategy strategy;
        final Repairer io;
        final ProgressiveCrammer.Listener listener;
        final Map<String, ProgressiveRecord> texts = new LinkedHashMap<>();
        final Map<String, Map<Integer, float[]>> mem = new LinkedHashMap<>();
        final List<RunRecord> runs = new ArrayList<>();
        final Set<String> failedRetry = new LinkedHashSet<>(); // texts whose grid run did not decode
        final Set<String> pending = new LinkedHashSet<>(); // decoded retries whose schedule has not continued yet
        long evaluations;
        Result cur;

        Repairing(Result staged, Map<String, Map<Integer, float[]>> memories, Repairer io, ProgressiveCrammer.Listener listener) {
            this.strategy = staged.strategy();
            this.io = io;
            this.listener = listener;
            staged.staged().forEach(r -> texts.put(r.textId(), r));
            memories.forEach((k, v) -> mem.put(k, new TreeMap<>(v)));
            this.evaluations = staged.evaluationForwards();
            this.cur = staged;
        }

        /** The shortest grid length above {@code length} that texts run at and that fails; -1: none. */
        int firstFailingAbove(int length) {
            return cur.lengths().stream().filter(x -> x.length() > length && !x.passed()).mapToInt(LengthStats::length)
                    .min().orElse(-1);
        }

        /** Up to {@code n} grid lengths that texts run at, from {@code length} up. */
        List<Integer> lengthsFrom(int length, int n) {
            return cur.lengths().stream().mapToInt(LengthStats::length).filter(l -> l >= length).limit(n).boxed().toList();
        }

        /** Continues text {@code id}'s staged schedule (its last stage: a decoded retry) from its passed stages' memories. */
        void continueStages(String id) {
            ProgressiveRecord rec = texts.get(id);
            Map<Integer, float[]> passedMemories = new TreeMap<>();
            rec.stages().stream().filter(ProgressiveRecord.Stage::passed)
                    .forEach(s -> passedMemories.put(s.length(), mem.get(id).get(s.length())));
            ProgressiveCrammer.Task task = new ProgressiveCrammer.Task(id, rec.textSource(), rec.tokenIds(), rec.nMem(),
                    rec.seed(), rec.stages(), passedMemories);
            io.stages(List.of(task), collecting(mem, listener)).forEach(x -> texts.put(x.textId(), x));
        }

        /** Whether {@code length} passes, after retrying its texts below 1.0 as far as it still can pass. */
        boolean passes(int length) {
            LengthStats at = cur.lengths().stream().filter(x -> x.length() == length).findFirst().orElseThrow();
            if (at.passed()) return true;
            Map<String, Double> acc = new LinkedHashMap<>(); // texts at L, in record order (as perLength averages)
            cur.accuracy().forEach((id, a) -> {
                if (a.containsKey(length)) acc.put(id, a.get(length));
            });
            // the texts most likely to fail first, so a length that cannot pass is found with the fewest runs:
            // texts whose grid run already failed at another length, then the lowest accuracy (stable)
            List<String> order = acc.entrySet().stream().filter(e -> e.getValue() < 1.0)
                    .sorted(Comparator.comparing((Map.Entry<String, Double> e) -> !failedRetry.contains(e.getKey()))
                            .thenComparing(Map.Entry.comparingByValue()))
                    .map(Map.Entry::getKey).toList();
            Set<String> decoded = new LinkedHashSet<>();
            boolean passes = false;
            for (int i = 0; i < order.size() && !passes; i++) {
                double optimistic = 0; // every text not yet retried counted as solved
                for (Map.Entry<String, Double> e : acc.entrySet()) {
                    optimistic += order.subList(i, order.size()).contains(e.getKey()) ? 1.0 : e.getValue();
                }
                if (optimistic / acc.size() < LOSSLESS) break; // L cannot pass whatever the remaining retries do
                String id = order.get(i);
                if (pending.remove(id)) { // first the cheap way: continue its stages from its repaired memory
                    continueStages(id);
                    Result one = fromStages(strategy, List.of(texts.get(id)), mem);
                    evaluations += one.evaluationForwards();
                    acc.put(id, Math.max(acc.get(id), one.accuracy().get(id).get(length)));
                    passes = acc.values().stream().mapToDouble(Double::doubleValue).average().orElse(0) >= LOSSLESS;
                    if (acc.get(id) >= 1.0) continue;
                }
                ProgressiveRecord rec = texts.get(id);
                Retry r = io.gridRun(rec, length);
                runs.add(r.record());
                ProgressiveRecord.Stage stage = repairStage(rec, r, length);
                texts.put(id, withStage(rec, stage));
                double a = r.record().metrics().bestAccuracy();
                if (a >= acc.get(id)) mem.computeIfAbsent(id, k -> new TreeMap<>()).put(length, r.memory());
                acc.put(id, Math.max(acc.get(id), a));
                if (stage.passed()) {
                    decoded.add(id);
                } else {
                    failedRetry.add(id);
                }
                passes = acc.values().stream().mapToDouble(Double::doubleValue).average().orElse(0) >= LOSSLESS;
            }
            // a repaired text continues its schedule from the repaired memory, but only when a longer length
            // needs its accuracy (above): at a length that cannot pass, the likeliest failures go first and
            // usually settle it before any continuation is paid for
            if (passes) pending.addAll(decoded);
            if (!order.isEmpty()) {
                cur = fromStages(strategy, List.copyOf(texts.values()), mem);
                evaluations += cur.evaluationForwards();
            }
            return passes;
        }
    }

    /** A repair's grid run as a stage of its text: from a random memory, the grid run's steps and outcome. */
    private static ProgressiveRecord.Stage repairStage(ProgressiveRecord rec, Retry r, int length) {
        RunRecord.Metrics m = r.record().metrics();
        // passed as the staged criterion (greedy): exact greedy decoding; where the run did not decode,
        // teacher-forced accuracy 1.0, which is the same (the greedy path then is the teacher-forced one)
        boolean passed = m.greedyPrefixLength() >= 0 ? m.greedyExactMatch() : m.bestAccuracy() >= 1.0;
        int horizon = m.greedyPrefixLength() < 0 ? -1 : m.greedyPrefixLength() + 1;
        RunRecord.Trajectory t = r.record().trajectory();
        return new ProgressiveRecord.Stage(rec.stages().size(), length, 0, t.steps(), m.bestLoss(), m.bestAccuracy(), passed,
                horizon, length, Double.NaN /* surprisal not measured for a retry */, t.stopReason(), t.wallTimeSeconds(),
                r.memoryFile());
    }

    /** {@code rec} with {@code stage} appended (horizon, longest pass and steps updated). */
    private static ProgressiveRecord withStage(ProgressiveRecord rec, ProgressiveRecord.Stage stage) {
        List<ProgressiveRecord.Stage> stages = new ArrayList<>(rec.stages());
        stages.add(stage);
        return new ProgressiveRecord(rec.textId(), rec.textSource(), rec.modelId(), rec.nMem(), rec.seed(), rec.policy(),
                rec.criterion(), rec.tokenIds(), List.copyOf(stages), Math.max(rec.horizon(), stage.horizon()),
                stage.passed() ? Math.max(rec.longestPassed(), stage.length()) : rec.longestPassed(),
                rec.totalSteps() + stage.steps(), rec.settings());
    }

    /** The engine of a staged strategy: its schedule over the grid, the stage settings, restart on failure. */
    public ProgressiveCrammer crammer(Strategy strategy) {
        StagePolicy policy = switch (strategy) {
            case WARM -> StagePolicy.grid(grid);
            case BISECT -> StagePolicy.bisect(Math.max(2, grid.get(0)));
            case PROGRESSIVE -> StagePolicy.grow(2, grow);
            case GRID -> throw new CramException("grid is not a staged strategy");
        };
        return ProgressiveCrammer.builder(model).optSettings(stageSettings).optPolicy(policy)
                .optRestartOnFailure(restart).build();
    }

    /**
     * A staged strategy's result from its per-text records and every stage's best memory (text id to
     * length to [K, d]); grid lengths no stage ran at are implied by a longer exact stage or evaluated with
     * one forward from the nearest stage memories (counted in {@code evaluationForwards}, no update).
     */
    public Result fromStages(Strategy strategy, List<ProgressiveRecord> records, Map<String, Map<Integer, float[]>> memories) {
        // accuracy per (text, grid length): measured, implied by an exact longer stage, or evaluated
        Map<String, Map<Integer, Double>> acc = new LinkedHashMap<>();
        List<CramTask> evals = new ArrayList<>();
        List<String[]> evalKeys = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ProgressiveRecord r = records.get(i);
            Map<Integer, Double> a = acc.computeIfAbsent(r.textId(), k -> new TreeMap<>());
            Map<Integer, float[]> mem = memories.getOrDefault(r.textId(), Map.of());
            for (int length : grid) {
                if (length > r.tokenIds().length) continue; // the text is shorter: no run at this length
                // every attempt at L (a restart, a repair) counts with its best accuracy, as the paper's "best"
                OptionalDouble at = r.stages().stream().filter(s -> s.length() == length)
                        .mapToDouble(ProgressiveRecord.Stage::bestAccuracy).max();
                if (at.isPresent()) {
                    a.put(length, at.getAsDouble());
                } else if (r.stages().stream().anyMatch(s -> s.passed() && s.length() >= length && s.horizon() >= length)) {
                    a.put(length, 1.0);
                } else {
                    int[] ids = Arrays.copyOf(r.tokenIds(), length);
                    for (int from : nearest(mem.keySet(), length)) {
                        evals.add(new CramTask(r.textId(), r.textSource(), null, ids, nMem, mem.get(from)));
                        evalKeys.add(new String[] {r.textId(), String.valueOf(length)});
                    }
                    a.putIfAbsent(length, 0.0);
                }
            }
        }
        if (!evals.isEmpty()) {
            CramSettings look = stageSettings.toBuilder().optMaxSteps(1).optGreedyCheck(false).optMemoryDir(null).build();
            List<CramResult> looked = new BatchedCrammer(model, look).run(evals, RunListener.NONE);
            for (int i = 0; i < looked.size(); i++) {
                double first = looked.get(i).record().trajectory().accuracies().get(0);
                acc.get(evalKeys.get(i)[0]).merge(Integer.parseInt(evalKeys.get(i)[1]), first, Math::max);
            }
        }
        List<LengthStats> stats = perLength(acc, grid);
        Map<String, Integer> horizons = new LinkedHashMap<>();
        records.forEach(r -> horizons.put(r.textId(), r.horizon()));
        long steps = records.stream().mapToLong(ProgressiveRecord::totalSteps).sum();
        return new Result(strategy, grid, stats, decodingCapacity(stats), steps, evals.size(), 0, horizons,
                acc, List.of(), records, null);
    }

    /** The stage lengths nearest below and above {@code length} (those whose memories are evaluated there). */
    private static List<Integer> nearest(java.util.Set<Integer> lengths, int length) {
        List<Integer> out = new ArrayList<>(2);
        lengths.stream().filter(l -> l < length).mapToInt(l -> l).max().ifPresent(out::add);
        lengths.stream().filter(l -> l > length).mapToInt(l -> l).min().ifPresent(out::add);
        return out;
    }

    /** Options: K, grid, the grid's settings and the stages' settings. */
    public static final class Builder {
        private final CausalLM model;
        private final Tokenizer tokenizer;
        private CramSettings gridSettings = CramSettings.paper();
        private CramSettings stageSettings = CramSettings.builder().optMaxSteps(500).optPatience(500).build();
        private int nMem = 1;
        private List<Integer> lengths = PAPER_GRID;
        private int grow = 1;
        private boolean restart;
        private boolean repair;

        private Builder(CausalLM model, Tokenizer tokenizer) {
            this.model = model;
            this.tokenizer = tokenizer;
        }

        /** Settings of every grid run (default: the paper's, 5000 steps, patience 2000). */
        public Builder optGridSettings(CramSettings s) {
            this.gridSettings = s;
            return this;
        }

        /** Settings of every stage of the staged strategies: its step budget and patience (default 500/500). */
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
         * at the failing lengths (see {@link CapacityStrategies#repair}; default false).
         */
        public Builder optRepair(boolean repair) {
            this.repair = repair;
            return this;
        }

        public CapacityStrategies build() {
            return new CapacityStrategies(this);
        }
    }
}
