package org.cramlab.capacity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The paper's decoding capacity rule, the one place it is written: at a grid length, the mean best
 * teacher-forced accuracy over the texts long enough for it; a length passes at {@code >= 0.99}; the
 * capacity is the largest passing grid length. Also which grid lengths a model can run at all.
 */
public final class CapacityRule {

    /** The paper's PG-19 length grid (union over its models). */
    public static final List<Integer> PAPER_GRID = List.of(
            8, 16, 32, 64, 80, 96, 128, 160, 192, 256, 384, 512, 768, 1024, 1280, 1568, 2048, 2560, 3072);

    /** A length passes when the mean best accuracy over its texts is at least this (the paper's "lossless"). */
    public static final double LOSSLESS = 0.99;

    private CapacityRule() {}

    /** One length's aggregate as the rule reads it. */
    public interface PerLength {
        int length();

        /** Whether the mean best accuracy there is {@link #passes lossless}. */
        boolean passed();
    }

    /** Whether a mean best accuracy at a length passes: {@code >= 0.99}. */
    public static boolean passes(double meanBestAccuracy) {
        return meanBestAccuracy >= LOSSLESS;
    }

    /** The paper's rule: the largest passing length of {@code grid} (null: any length in {@code stats}); empty if none. */
    public static OptionalInt decodingCapacity(Collection<? extends PerLength> stats, Collection<Integer> grid) {
        return stats.stream()
                .filter(s -> s.passed() && (grid == null || grid.contains(s.length())))
                .mapToInt(PerLength::length)
                .max();
    }

    /**
     * Per length (ascending), the mean of {@code accuracy} (text id to length to best accuracy) over the texts
     * that have that length, averaged in the map's text order.
     */
    public static List<LengthMean> perLength(Map<String, ? extends Map<Integer, Double>> accuracy) {
        Map<Integer, List<Double>> by = new TreeMap<>();
        accuracy.values().forEach(m -> m.forEach((l, a) -> by.computeIfAbsent(l, k -> new ArrayList<>()).add(a)));
        List<LengthMean> out = new ArrayList<>();
        by.forEach((length, v) -> {
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            out.add(new LengthMean(length, v.size(), mean, passes(mean)));
        });
        return out;
    }

    /** {@link #perLength(Map)} at the lengths of {@code grid} only. */
    public static List<LengthMean> perLength(Map<String, ? extends Map<Integer, Double>> accuracy, Collection<Integer> grid) {
        return perLength(accuracy).stream().filter(s -> grid.contains(s.length())).toList();
    }

    /**
     * The lengths of {@code lengths} a model with {@code maxPositions} positions runs with K memory vectors:
     * {@code max(2, K) <= L <= maxPositions - K} (the paper's {@code train.py} also skips K > L), in input order.
     */
    public static List<Integer> fittingLengths(Collection<Integer> lengths, int nMem, int maxPositions) {
        return lengths.stream().filter(l -> l >= 2 && l >= nMem && l <= maxPositions - nMem).toList();
    }
}
