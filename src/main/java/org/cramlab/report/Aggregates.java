package org.cramlab.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.cramlab.capacity.CapacityRule;
import org.cramlab.cram.Metrics;
import org.cramlab.cram.RunRecord;

/**
 * The paper's aggregate metrics over run records (paper section 1.3), as plain functions.
 *
 * <ul>
 *   <li>Decoding capacity: for each length, the mean best accuracy over the texts; the capacity is the
 *       largest length whose mean is {@code >= 0.99}. No length passing means no capacity (empty).
 *   <li>Table 1 gains: mean ± std of token gain and information gain, pooled over the runs with
 *       {@code best_accuracy <= 0.99} (the saturated runs, where the vector is full).
 *   <li>Figure 3's line {@code y = x - C_H}: least squares with the slope fixed at 1, whose intercept is
 *       {@code mean(y - x)}, i.e. minus the mean information gain of the same runs.
 *   <li>Theoretical capacity {@code 16 d / log2 |V|} tokens and utilisation = token gain / theoretical.
 * </ul>
 */
public final class Aggregates {
    /** The paper's "lossless" threshold on mean teacher-forced accuracy ({@link CapacityRule#LOSSLESS}). */
    public static final double LOSSLESS = CapacityRule.LOSSLESS;

    private Aggregates() {}

    /**
     * Aggregates of one length.
     *
     * @param length L
     * @param runs number of runs (texts) at that length
     * @param meanBestAccuracy mean of best_accuracy
     * @param meanTokenGain mean token gain
     * @param meanInformationGainNats mean information gain
     * @param passed meanBestAccuracy >= {@link #LOSSLESS}
     */
    public record LengthStats(
            int length, int runs, double meanBestAccuracy, double meanTokenGain, double meanInformationGainNats,
            boolean passed) implements CapacityRule.PerLength {}

    /** Per-length aggregates, ascending by length. */
    public static List<LengthStats> perLength(Collection<RunRecord> records) {
        Map<Integer, List<RunRecord>> by = new TreeMap<>();
        records.forEach(r -> by.computeIfAbsent(r.text().length(), l -> new ArrayList<>()).add(r));
        List<LengthStats> out = new ArrayList<>();
        by.forEach((length, runs) -> {
            double acc = mean(runs, r -> r.metrics().bestAccuracy());
            out.add(new LengthStats(length, runs.size(), acc, mean(runs, r -> r.metrics().tokenGain()),
                    mean(runs, r -> r.metrics().informationGainNats()), CapacityRule.passes(acc)));
        });
        return out;
    }

    /** Mean best accuracy per length, lengths ascending. */
    public static TreeMap<Integer, Double> meanAccuracyByLength(Collection<RunRecord> records) {
        TreeMap<Integer, Double> m = new TreeMap<>();
        perLength(records).forEach(s -> m.put(s.length(), s.meanBestAccuracy()));
        return m;
    }

    /** {@link #decodingCapacity(Collection, Collection)} with every length run as the grid. */
    public static OptionalInt decodingCapacity(Collection<RunRecord> records) {
        return decodingCapacity(records, null);
    }

    /**
     * The paper's decoding capacity ("Max, tokens"): the largest length of {@code grid} whose mean best accuracy
     * over its texts is {@code >= 0.99}; empty when no length passes. Lengths off the grid (bisection
     * refinements) do not count here; see {@link #refinedCapacity}.
     *
     * @param grid the searched lengths; null: every length in {@code records}
     */
    public static OptionalInt decodingCapacity(Collection<RunRecord> records, Collection<Integer> grid) {
        return decodingCapacity(perLength(records), grid);
    }

    /** The paper's rule on per-length aggregates ({@link CapacityRule#decodingCapacity}). */
    public static OptionalInt decodingCapacity(List<LengthStats> stats, Collection<Integer> grid) {
        return CapacityRule.decodingCapacity(stats, grid);
    }

    /**
     * Per-length aggregates of a staged (warm, bisect, progressive) capacity search, which has no run
     * record per (text, length): {@code accuracy} maps text id to length to its best accuracy there
     * (measured, implied or evaluated, see {@link org.cramlab.capacity.StagedScoring}). Gains are NaN (no from-scratch run).
     */
    public static List<LengthStats> perLength(Map<String, ? extends Map<Integer, Double>> accuracy) {
        return CapacityRule.perLength(accuracy).stream()
                .map(l -> new LengthStats(l.length(), l.runs(), l.meanBestAccuracy(), Double.NaN, Double.NaN, l.passed()))
                .toList();
    }

    /**
     * The capacity sharpened by lengths run between the grid capacity and the next grid length above it
     * (bisection; the paper has none, so this is reported beside {@link #decodingCapacity}): the largest
     * passing length below the first failing grid length above the capacity. Equals the grid capacity when
     * nothing was run in between; 0 when no grid length passes.
     */
    public static int refinedCapacity(Collection<RunRecord> records, Collection<Integer> grid) {
        int capacity = decodingCapacity(records, grid).orElse(0);
        if (capacity == 0) return 0;
        int above = grid.stream().filter(l -> l > capacity).mapToInt(Integer::intValue).min().orElse(Integer.MAX_VALUE);
        return perLength(records).stream()
                .filter(s -> s.passed() && s.length() >= capacity && s.length() < above)
                .mapToInt(LengthStats::length)
                .max()
                .orElse(capacity);
    }

    private static double mean(List<RunRecord> runs, java.util.function.ToDoubleFunction<RunRecord> f) {
        return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** Runs where the memory is saturated: {@code best_accuracy <= 0.99} (Table 1's pool). */
    public static final Predicate<RunRecord> SATURATED = r -> r.metrics().bestAccuracy() <= LOSSLESS;

    /** Token gain mean ± std over the saturated runs. */
    public static MeanStd tokenGain(Collection<RunRecord> records) {
        return MeanStd.of(values(records, SATURATED, rec -> rec.metrics().tokenGain()));
    }

    /** Information gain (nats) mean ± std over the saturated runs. */
    public static MeanStd informationGain(Collection<RunRecord> records) {
        return MeanStd.of(values(records, SATURATED, rec -> rec.metrics().informationGainNats()));
    }

    /**
     * Intercept b of the least-squares line {@code y = x + b} with slope fixed at 1: minimising
     * {@code sum (y - x - b)^2} gives {@code b = mean(y - x)}.
     */
    public static double slopeOneIntercept(double[] x, double[] y) {
        if (x.length != y.length || x.length == 0) {
            throw new IllegalArgumentException("slope-1 fit needs equal, non-empty x and y; got " + x.length + " and " + y.length);
        }
        double s = 0;
        for (int i = 0; i < x.length; i++) s += y[i] - x[i];
        return s / x.length;
    }

    /** Figure 3's C_H: minus the slope-1 intercept of best CE against original CE over the saturated runs. */
    public static double fittedInformationGain(Collection<RunRecord> records) {
        double[] x = values(records, SATURATED, rec -> rec.metrics().originalCeNats());
        double[] y = values(records, SATURATED, rec -> rec.metrics().bestCeNats());
        return x.length == 0 ? Double.NaN : -slopeOneIntercept(x, y);
    }

    /** The paper's Eq. 1, {@code 16 d / log2|V|} tokens ({@link Metrics#theoreticalCapacity}). */
    public static double theoreticalCapacity(int hiddenSize, int vocabSize) {
        return Metrics.theoreticalCapacity(hiddenSize, vocabSize);
    }

    /** Token gain / theoretical capacity ({@link Metrics#utilisation}). */
    public static double utilisation(double tokenGain, int hiddenSize, int vocabSize) {
        return Metrics.utilisation(tokenGain, hiddenSize, vocabSize);
    }

    /** Ideal linear scaling: the value at K = 1 times {@code k} (K over the smallest K tried). */
    public static double idealScaling(double valueAtOne, double k) {
        return valueAtOne * k;
    }

    static double[] values(Collection<RunRecord> records, Predicate<RunRecord> keep,
            java.util.function.ToDoubleFunction<RunRecord> f) {
        List<Double> out = new ArrayList<>();
        for (RunRecord r : records) if (keep.test(r)) out.add(f.applyAsDouble(r));
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
