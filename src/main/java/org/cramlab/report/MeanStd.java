package org.cramlab.report;

/**
 * Mean and sample standard deviation (n - 1 in the denominator, as pandas' {@code std()} that the
 * paper's notebooks use) of n values.
 */
public record MeanStd(double mean, double std, int n) {

    /** Mean and sample std of {@code values}; NaN for an empty array, std NaN for one value. */
    public static MeanStd of(double[] values) {
        int n = values.length;
        if (n == 0) return new MeanStd(Double.NaN, Double.NaN, 0);
        double sum = 0;
        for (double v : values) sum += v;
        double mean = sum / n;
        double ss = 0;
        for (double v : values) ss += (v - mean) * (v - mean);
        return new MeanStd(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN, n);
    }

    /** As the paper prints it, e.g. {@code 70.9±11.0}. */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.1f\u00b1%.1f", mean, std);
    }
}
