package org.cramlab.bits;

import java.util.Arrays;

/**
 * An integer frequency table over a vocabulary, as the arithmetic coder needs it: every symbol has
 * frequency >= 1 and the total is exactly {@code 2^TOTAL_BITS}.
 *
 * <p>{@link #fromLogits} is the fixed-point quantisation that encoder and decoder must compute
 * identically. It is plain Java in a fixed order: {@code StrictMath.exp} (bit-reproducible on every
 * JVM), double sums from index 0 upwards, floor of {@code p_i * (2^24 - V)} plus one, and the rounding
 * remainder given to the first most probable symbol. So equal float logits give equal tables on any
 * machine; what can differ is the logits themselves (see docs/bits.md, "What must match").
 */
public final class Frequencies {

    /** log2 of every table's total. */
    public static final int TOTAL_BITS = 24;

    private static final int TOTAL = 1 << TOTAL_BITS;

    private final int[] cum; // cum[s] = sum of freq[0..s-1], cum[V] = TOTAL

    private Frequencies(int[] cum) {
        this.cum = cum;
    }

    /** The table for next-token logits (float32, length V); V must be below 2^23. */
    public static Frequencies fromLogits(float[] logits) {
        int v = logits.length;
        if (v < 1 || v >= TOTAL / 2) {
            throw new BitsException("vocabulary of " + v + " symbols: the coder takes 1 to " + (TOTAL / 2 - 1));
        }
        int top = 0;
        for (int i = 0; i < v; i++) {
            if (Float.isNaN(logits[i]) || logits[i] == Float.POSITIVE_INFINITY) {
                throw new BitsException("logit " + i + " is " + logits[i] + ": the model produced no distribution to code with");
            }
            if (logits[i] > logits[top]) {
                top = i;
            }
        }
        double max = logits[top];
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = StrictMath.exp(logits[i] - max);
            sum += p[i];
        }
        double budget = TOTAL - v;
        int[] freq = new int[v];
        long assigned = 0;
        for (int i = 0; i < v; i++) {
            freq[i] = 1 + (int) Math.floor(p[i] / sum * budget);
            assigned += freq[i];
        }
        freq[top] += (int) (TOTAL - assigned); // remainder (>= 0 up to rounding) to the most probable symbol
        return fromFrequencies(freq);
    }

    /** Every symbol (nearly) equally likely: the table of all-equal logits. */
    public static Frequencies uniform(int v) {
        return fromLogits(new float[v]);
    }

    /** A table from explicit frequencies (each >= 1, summing to 2^TOTAL_BITS). */
    public static Frequencies fromFrequencies(int[] freq) {
        int[] cum = new int[freq.length + 1];
        for (int i = 0; i < freq.length; i++) {
            if (freq[i] < 1) {
                throw new BitsException("symbol " + i + " has frequency " + freq[i] + ", expected >= 1");
            }
            cum[i + 1] = cum[i] + freq[i];
        }
        if (cum[freq.length] != TOTAL) {
            throw new BitsException("frequencies sum to " + cum[freq.length] + ", expected 2^" + TOTAL_BITS);
        }
        return new Frequencies(cum);
    }

    /** Number of symbols. */
    public int size() {
        return cum.length - 1;
    }

    public long total() {
        return TOTAL;
    }

    /** Sum of the frequencies of symbols below {@code s} (s in 0..V). */
    public long cumulative(int s) {
        return cum[s];
    }

    public int frequency(int s) {
        return cum[s + 1] - cum[s];
    }

    /** The ideal code length of symbol {@code s} under this table, in bits. */
    public double bits(int s) {
        return TOTAL_BITS - Math.log(frequency(s)) / Math.log(2);
    }

    /** The symbol whose interval holds {@code scaled} (0 <= scaled < total). */
    int symbolAt(long scaled) {
        int i = Arrays.binarySearch(cum, (int) scaled);
        // exact hit on cum[i]: symbol i (skip to the last equal entry, though frequencies >= 1 make them distinct)
        return i >= 0 ? Math.min(i, size() - 1) : -i - 2;
    }
}
