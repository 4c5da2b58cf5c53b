package org.cramlab.capacity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunListener;
import org.cramlab.model.CausalLM;

/**
 * A staged strategy's accuracy at each grid length, per text: the best accuracy of the stage run at exactly
 * L; else 1.0 if a stage at least L long decoded exactly (an exact memory is exact on every prefix: the
 * model is causal); else the best teacher-forced accuracy on the first L tokens of the memories of the
 * nearest stages below and above L, measured by one forward each ({@link SearchResult#evaluationForwards()},
 * not optimisation steps). Above a text's first failure that is an estimate: the grid would optimise from
 * scratch there with its full budget.
 */
public final class StagedScoring {
    private final CausalLM model;
    private final int nMem;
    private final List<Integer> grid;
    private final CramSettings stageSettings;

    /**
     * @param model the model the stages ran on (evaluates stage memories at lengths no stage ran at)
     * @param nMem K
     * @param grid the grid lengths, ascending
     * @param stageSettings the stages' settings (their optimiser and batch size; evaluations take one forward)
     */
    public StagedScoring(CausalLM model, int nMem, List<Integer> grid, CramSettings stageSettings) {
        this.model = model;
        this.nMem = nMem;
        this.grid = List.copyOf(grid);
        this.stageSettings = stageSettings;
    }

    public List<Integer> grid() {
        return grid;
    }

    /** A listener that keeps every stage's best memory (text id to length) and passes all calls on. */
    public static ProgressiveCrammer.Listener collecting(Map<String, Map<Integer, float[]>> memories, ProgressiveCrammer.Listener listener) {
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
     * A staged strategy's result from its per-text records and every stage's best memory (text id to
     * length to [K, d]); grid lengths no stage ran at are implied by a longer exact stage or evaluated with
     * one forward from the nearest stage memories (counted in {@code evaluationForwards}, no update).
     */
    public SearchResult fromStages(Strategy strategy, List<ProgressiveRecord> records, Map<String, Map<Integer, float[]>> memories) {
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
        List<LengthMean> stats = CapacityRule.perLength(acc, grid);
        Map<String, Integer> horizons = new LinkedHashMap<>();
        records.forEach(r -> horizons.put(r.textId(), r.horizon()));
        long steps = records.stream().mapToLong(ProgressiveRecord::totalSteps).sum();
        return new SearchResult(strategy, grid, stats, CapacityRule.decodingCapacity(stats, null).orElse(0), steps, evals.size(), 0, horizons,
                acc, List.of(), records, null);
    }

    /** The stage lengths nearest below and above {@code length} (those whose memories are evaluated there). */
    private static List<Integer> nearest(java.util.Set<Integer> lengths, int length) {
        List<Integer> out = new ArrayList<>(2);
        lengths.stream().filter(l -> l < length).mapToInt(l -> l).max().ifPresent(out::add);
        lengths.stream().filter(l -> l > length).mapToInt(l -> l).min().ifPresent(out::add);
        return out;
    }
}
