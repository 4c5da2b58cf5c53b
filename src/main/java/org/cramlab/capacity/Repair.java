package org.cramlab.capacity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunRecord;

/**
 * Repair of a staged strategy's capacity boundary (off by default): a staged text stops at its first
 * failing stage, and the paper's rule needs essentially every text exact at a length, so one text whose
 * warm-started stage fails (while the grid, from scratch with its larger budget, solves it) pulls the
 * capacity down. Repair re-runs, at the failing grid lengths near the boundary, exactly the grid's run (its
 * settings, budget and seed, from a random memory) for the texts below 1.0 there, likeliest failure first,
 * and stops at a length as soon as it passes or can no longer pass even if every remaining retry succeeded;
 * a repaired text that decodes continues its staged schedule warm-started from the repaired memory. See
 * {@link #run} for the lengths it looks at and where this differs from the paper.
 */
public final class Repair {
    /**
     * Repair: grid lengths looked at past one that cannot pass before the repair ends (the paper's rule is not
     * monotone near the boundary; one grid step is also the benchmark's tolerance).
     */
    public static final int LOOKAHEAD = 1;

    private final StagedScoring scoring;

    /** A repair that re-scores the texts with {@code scoring} (its model, K and grid) after every retry. */
    public Repair(StagedScoring scoring) {
        this.scoring = scoring;
    }

    /**
     * Repairs a staged result's capacity boundary. A grid length is repaired by retrying its texts below
     * accuracy 1.0, one at a time, each by exactly the grid's run there ({@link RepairRuns#gridRun}: from a random
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
     * @param staged the staged strategy's result ({@link StagedScoring#fromStages})
     * @param memories every stage's best memory, text id to length ([K, d]); updated with the repairs'
     * @param io runs the retries and the continued stages
     * @param listener sees the continued stages
     */
    public SearchResult run(SearchResult staged, Map<String, Map<Integer, float[]>> memories, RepairRuns io, ProgressiveCrammer.Listener listener) {
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
        SearchResult cur = r.cur;
        double seconds = staged.wallSeconds() + (System.nanoTime() - start) / 1e9;
        return new SearchResult(cur.strategy(), scoring.grid(), cur.lengths(), cur.capacity(), cur.optimisationSteps(), r.evaluations, seconds,
                cur.horizons(), cur.accuracy(), List.copyOf(r.runs), cur.staged(), staged);
    }

    /** The state of one {@link #run}: the texts' records and memories as the retries and continued stages change them. */
    private final class Repairing {
        final Strategy strategy;
        final RepairRuns io;
        final ProgressiveCrammer.Listener listener;
        final Map<String, ProgressiveRecord> texts = new LinkedHashMap<>();
        final Map<String, Map<Integer, float[]>> mem = new LinkedHashMap<>();
        final List<RunRecord> runs = new ArrayList<>();
        final Set<String> failedRetry = new LinkedHashSet<>(); // texts whose grid run did not decode
        final Set<String> pending = new LinkedHashSet<>(); // decoded retries whose schedule has not continued yet
        long evaluations;
        SearchResult cur;

        Repairing(SearchResult staged, Map<String, Map<Integer, float[]>> memories, RepairRuns io, ProgressiveCrammer.Listener listener) {
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
            return cur.lengths().stream().filter(x -> x.length() > length && !x.passed()).mapToInt(LengthMean::length)
                    .min().orElse(-1);
        }

        /** Up to {@code n} grid lengths that texts run at, from {@code length} up. */
        List<Integer> lengthsFrom(int length, int n) {
            return cur.lengths().stream().mapToInt(LengthMean::length).filter(l -> l >= length).limit(n).boxed().toList();
        }

        /** Continues text {@code id}'s staged schedule (its last stage: a decoded retry) from its passed stages' memories. */
        void continueStages(String id) {
            ProgressiveRecord rec = texts.get(id);
            Map<Integer, float[]> passedMemories = new TreeMap<>();
            rec.stages().stream().filter(ProgressiveRecord.Stage::passed)
                    .forEach(s -> passedMemories.put(s.length(), mem.get(id).get(s.length())));
            ProgressiveCrammer.Task task = new ProgressiveCrammer.Task(id, rec.textSource(), rec.tokenIds(), rec.nMem(),
                    rec.seed(), rec.stages(), passedMemories);
            io.stages(List.of(task), StagedScoring.collecting(mem, listener)).forEach(x -> texts.put(x.textId(), x));
        }

        /** Whether {@code length} passes, after retrying its texts below 1.0 as far as it still can pass. */
        boolean passes(int length) {
            LengthMean at = cur.lengths().stream().filter(x -> x.length() == length).findFirst().orElseThrow();
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
                if (optimistic / acc.size() < CapacityRule.LOSSLESS) break; // L cannot pass whatever the remaining retries do
                String id = order.get(i);
                if (pending.remove(id)) { // first the cheap way: continue its stages from its repaired memory
                    continueStages(id);
                    SearchResult one = scoring.fromStages(strategy, List.of(texts.get(id)), mem);
                    evaluations += one.evaluationForwards();
                    acc.put(id, Math.max(acc.get(id), one.accuracy().get(id).get(length)));
                    passes = acc.values().stream().mapToDouble(Double::doubleValue).average().orElse(0) >= CapacityRule.LOSSLESS;
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
                passes = acc.values().stream().mapToDouble(Double::doubleValue).average().orElse(0) >= CapacityRule.LOSSLESS;
            }
            // a repaired text continues its schedule from the repaired memory, but only when a longer length
            // needs its accuracy (above): at a length that cannot pass, the likeliest failures go first and
            // usually settle it before any continuation is paid for
            if (passes) pending.addAll(decoded);
            if (!order.isEmpty()) {
                cur = scoring.fromStages(strategy, List.copyOf(texts.values()), mem);
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
}
