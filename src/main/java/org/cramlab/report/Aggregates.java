package org.cramlab.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.cramlab.cram.Capacity;
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
    /** The paper's "lossless" threshold on mean teacher-forced accuracy. */
    public static final double LOSSLESS = Capacity.THRESHOLD;

    private Aggregates() {}

    /** Mean best accuracy per length, lengths ascending. */
    public static TreeMap<Integer, Double> meanAccuracyByLength(Collection<RunRecord> records) {
        return new TreeMap<>(Capacity.meanAccuracyByLength(Capacity.perLength(List.copyOf(records))));
    }

    /**
     * The largest length whose mean best accuracy is {@code >= 0.99} (the engine's rule,
     * {@link Capacity#decodingCapacity}); empty when no length passes.
     */
    public static OptionalInt decodingCapacity(Collection<RunRecord> records) {
        List<Capacity.LengthStats> stats = Capacity.perLength(List.copyOf(records));
        int c = Capacity.decodingCapacity(stats, stats.stream().map(Capacity.LengthStats::length).toList());
        return c == 0 ? OptionalInt.empty() : OptionalInt.of(c);
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
