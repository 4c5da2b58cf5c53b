package org.cramlab.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Median and spread of step times in milliseconds.
 *
 * @param median 50th percentile
 * @param p10 10th percentile
 * @param p90 90th percentile
 * @param n number of samples
 */
public record Timing(double median, double p10, double p90, int n) {

    /** Percentiles of {@code samples} (linear interpolation, as Python's quantiles(method="inclusive")). */
    public static Timing of(double[] samples) {
        if (samples.length == 0) {
            throw new BenchException("no timed steps: cannot take percentiles of an empty sample");
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        return new Timing(quantile(s, 0.5), quantile(s, 0.1), quantile(s, 0.9), s.length);
    }

    /** {@link #of(double[])} of a list. */
    public static Timing of(List<Double> samples) {
        return of(samples.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The q-quantile of sorted values: position q*(n-1), interpolated between neighbours. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** cramlab / reference: below 1 means cramlab is faster. */
    public static double ratio(Timing ours, Timing reference) {
        if (reference == null || ours == null || !(reference.median > 0)) {
            return Double.NaN;
        }
        return ours.median / reference.median;
    }
}
