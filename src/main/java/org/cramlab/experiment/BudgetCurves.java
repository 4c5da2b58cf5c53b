package org.cramlab.experiment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.cramlab.capacity.CapacityRule;
import org.cramlab.cram.RunRecord;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Tokens crammed vs step budget, from runs capped at one budget B. The paper's optimiser has no schedule and
 * stops at the first exact step, so a run capped at B is, up to any b &lt;= B, the same run as one capped at b:
 * its best accuracy within b steps is the best of its first b + 1 evaluations, and it is solved within b iff
 * its first exact step is &lt;= b. One capped run per (text, length, init) thus gives every smaller budget.
 */
public final class BudgetCurves {

    /** The budgets (steps). */
    public static final List<Integer> BUDGETS = List.of(5, 10, 20, 50, 100, 200, 500, 1000);

    private BudgetCurves() {}

    /**
     * One held-out run as the curves read it.
     *
     * @param modelId the model
     * @param length L (tokens)
     * @param init the start: random, mean, neighbour or encoder
     * @param textId the text (the same id at every length: its start)
     * @param accuracies teacher-forced accuracy after 0, 1, 2, ... updates
     * @param horizon greedy horizon of the best memory (tokens); null: not measured
     */
    public record Outcome(String modelId, int length, String init, String textId, List<Double> accuracies, Integer horizon) {

        /** The parts of a run record the curves need. */
        public static Outcome of(String init, String textId, RunRecord r) {
            return new Outcome(r.settings().modelId(), r.text().length(), init, textId, r.trajectory().accuracies(),
                    r.metrics().greedyHorizon());
        }

        /** Updates before the first exact evaluation (accuracy 1.0); -1 when never exact. */
        public int stepsToExact() {
            return BudgetCurves.stepsToExact(accuracies);
        }

        /** Best accuracy of the first {@code budget} + 1 evaluations (after 0..budget updates). */
        public double bestWithin(int budget) {
            double best = 0;
            for (int i = 0; i < accuracies.size() && i <= budget; i++) best = Math.max(best, accuracies.get(i));
            return best;
        }

        /** Exact within {@code budget} updates. */
        public boolean solvedWithin(int budget) {
            int s = stepsToExact();
            return s >= 0 && s <= budget;
        }
    }

    /**
     * The curve, one row per model, init and budget: {@code capacity} (the paper's rule, {@link CapacityRule}:
     * the largest grid length whose mean best accuracy within the budget is &gt;= 0.99; 0 if none) and
     * {@code mean_longest_solved} (per text the longest length exact within the budget, 0 if none, averaged
     * over the texts).
     */
    public static Table curve(List<Outcome> outcomes, List<Integer> budgets) {
        StringColumn model = StringColumn.create("model_id"), init = StringColumn.create("init");
        IntColumn budget = IntColumn.create("budget"), capacity = IntColumn.create("capacity");
        DoubleColumn longest = DoubleColumn.create("mean_longest_solved");
        group(outcomes, o -> o.modelId() + "\u0000" + o.init()).forEach((key, os) -> {
            Set<Integer> grid = new LinkedHashSet<>();
            os.forEach(o -> grid.add(o.length()));
            for (int b : budgets) {
                Map<String, Map<Integer, Double>> acc = new LinkedHashMap<>();
                Map<String, Integer> solved = new LinkedHashMap<>();
                for (Outcome o : os) {
                    acc.computeIfAbsent(o.textId(), t -> new TreeMap<>()).put(o.length(), o.bestWithin(b));
                    solved.merge(o.textId(), o.solvedWithin(b) ? o.length() : 0, Math::max);
                }
                model.append(os.get(0).modelId());
                init.append(os.get(0).init());
                budget.append(b);
                capacity.append(CapacityRule.decodingCapacity(CapacityRule.perLength(acc), grid).orElse(0));
                longest.append(solved.values().stream().mapToInt(Integer::intValue).average().orElse(0));
            }
        });
        return Table.create("tokens vs step budget", model, init, budget, capacity, longest);
    }

    /**
     * Steps per model, length and init: texts, solved (exact within the cap), median and mean steps to exact
     * (a run never exact counts as the cap: what a budget-capped user pays), the median's ratio to random
     * init's, mean best accuracy, mean greedy horizon.
     */
    public static Table steps(List<Outcome> outcomes, int cap) {
        StringColumn model = StringColumn.create("model_id"), init = StringColumn.create("init");
        IntColumn length = IntColumn.create("length"), texts = IntColumn.create("texts"), solved = IntColumn.create("solved");
        DoubleColumn median = DoubleColumn.create("median_steps"), mean = DoubleColumn.create("mean_steps"),
                ratio = DoubleColumn.create("median_vs_random"), acc = DoubleColumn.create("mean_best_accuracy"),
                horizon = DoubleColumn.create("mean_horizon");
        Map<String, Double> randomMedian = new LinkedHashMap<>();
        group(outcomes, o -> o.modelId() + "\u0000" + o.length() + "\u0000" + o.init()).forEach((key, os) -> {
            int[] st = os.stream().mapToInt(o -> cappedSteps(o, cap)).sorted().toArray();
            double med = median(st);
            String at = os.get(0).modelId() + "\u0000" + os.get(0).length();
            if (os.get(0).init().equals("random")) randomMedian.put(at, med);
            model.append(os.get(0).modelId());
            length.append(os.get(0).length());
            init.append(os.get(0).init());
            texts.append(os.size());
            solved.append((int) os.stream().filter(o -> o.solvedWithin(cap)).count());
            median.append(med);
            mean.append(Arrays.stream(st).average().orElse(Double.NaN));
            Double r = randomMedian.get(at);
            ratio.append(r == null || r == 0 ? Double.NaN : med / r);
            acc.append(os.stream().mapToDouble(o -> o.bestWithin(cap)).average().orElse(Double.NaN));
            horizon.append(os.stream().filter(o -> o.horizon() != null).mapToInt(Outcome::horizon).average().orElse(Double.NaN));
        });
        return Table.create("steps to exact per init", model, length, init, texts, solved, median, mean, ratio, acc, horizon);
    }

    /** Updates before the first evaluation with accuracy 1.0 in a trajectory's accuracies; -1 when none. */
    public static int stepsToExact(List<Double> accuracies) {
        for (int i = 0; i < accuracies.size(); i++) {
            if (accuracies.get(i) >= 1.0) return i;
        }
        return -1;
    }

    /** Steps to exact, or {@code cap} when never exact within it. */
    static int cappedSteps(Outcome o, int cap) {
        return o.solvedWithin(cap) ? o.stepsToExact() : cap;
    }

    static double median(int[] sorted) {
        if (sorted.length == 0) return Double.NaN;
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
    }

    /** A table as a markdown table (doubles to 2 decimals, missing values as "-"), for the docs. */
    public static String markdown(Table t) {
        StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", t.columnNames())).append(" |\n|");
        sb.append(" --- |".repeat(t.columnCount())).append('\n');
        for (int r = 0; r < t.rowCount(); r++) {
            sb.append('|');
            for (int c = 0; c < t.columnCount(); c++) {
                Object v = t.column(c).get(r);
                Object shown = v == null ? "-" : v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.2f", d) : v;
                sb.append(' ').append(shown).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Groups in first-seen order; random init first within its model and length (the steps table's baseline). */
    private static Map<String, List<Outcome>> group(List<Outcome> outcomes, java.util.function.Function<Outcome, String> key) {
        List<Outcome> ordered = new ArrayList<>(outcomes);
        ordered.sort((a, b) -> Boolean.compare(!a.init().equals("random"), !b.init().equals("random")));
        Map<String, List<Outcome>> out = new LinkedHashMap<>();
        for (Outcome o : ordered) out.computeIfAbsent(key.apply(o), k -> new ArrayList<>()).add(o);
        return out;
    }
}
