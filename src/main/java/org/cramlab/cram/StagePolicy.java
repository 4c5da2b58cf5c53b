package org.cramlab.cram;

import java.util.List;
import java.util.OptionalInt;

/**
 * Which prefix length a text's next stage crams, given the stages so far (each warm-started by
 * {@link ProgressiveCrammer} from the best memory of the longest passed stage shorter than it). A policy
 * is a pure function of the history, so a resumed text continues exactly where it stopped.
 */
public interface StagePolicy {

    /**
     * The next stage's length, or empty when the text is done.
     *
     * @param history the stages run so far, in order
     * @param maxLength the text's length in tokens (no stage is longer)
     */
    OptionalInt next(List<ProgressiveRecord.Stage> history, int maxLength);

    /** A short name for records and tables, e.g. {@code grow-1}, {@code doubling}, {@code bisect}. */
    String name();

    /** Progressive cramming (Tarasov et al.): start at {@code start} tokens, grow by {@code n}, stop at the first failure. */
    static StagePolicy grow(int start, int n) {
        check(start, n);
        return new Grow(start, n, false);
    }

    /** Progressive cramming with a doubling schedule: start, 2 start, 4 start, ..., stop at the first failure. */
    static StagePolicy doubling(int start) {
        check(start, 1);
        return new Grow(start, 0, true);
    }

    /**
     * Per text: double from {@code start} until a stage fails (or the text ends), then bisect between
     * the longest passed and the shortest failed length until they are adjacent.
     */
    static StagePolicy bisect(int start) {
        check(start, 1);
        return new Bisect(start);
    }

    /** The grid lengths in order, each warm-started from the previous one; stop at the first failing length. */
    static StagePolicy grid(List<Integer> lengths) {
        if (lengths.isEmpty() || lengths.stream().anyMatch(l -> l < 2)) {
            throw new CramException("grid lengths must be non-empty and each >= 2, got " + lengths);
        }
        return new Grid(lengths.stream().sorted().distinct().toList());
    }

    private static void check(int start, int n) {
        if (start < 2) {
            throw new CramException("the first stage needs >= 2 tokens (the first is never a target), got " + start);
        }
        if (n < 1) {
            throw new CramException("stages must grow by >= 1 token, got " + n);
        }
    }

    /** The last stage, if any. */
    private static ProgressiveRecord.Stage last(List<ProgressiveRecord.Stage> history) {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }

    /** Grow by n (or double) after each passed stage; done after the first failure or at the text's end. */
    record Grow(int start, int n, boolean doubling) implements StagePolicy {
        @Override
        public OptionalInt next(List<ProgressiveRecord.Stage> history, int maxLength) {
            ProgressiveRecord.Stage s = last(history);
            if (s == null) {
                return OptionalInt.of(Math.min(start, maxLength));
            }
            if (!s.passed() || s.length() >= maxLength) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(Math.min(maxLength, doubling ? 2 * s.length() : s.length() + n));
        }

        @Override
        public String name() {
            return doubling ? "doubling" : "grow-" + n;
        }
    }

    /** Doubling, then bisection between the longest pass and the shortest failure above it. */
    record Bisect(int start) implements StagePolicy {
        @Override
        public OptionalInt next(List<ProgressiveRecord.Stage> history, int maxLength) {
            if (history.isEmpty()) {
                return OptionalInt.of(Math.min(start, maxLength));
            }
            int lo = history.stream().filter(ProgressiveRecord.Stage::passed).mapToInt(ProgressiveRecord.Stage::length)
                    .max().orElse(1);
            int hi = history.stream().filter(s -> !s.passed() && s.length() > lo)
                    .mapToInt(ProgressiveRecord.Stage::length).min().orElse(Integer.MAX_VALUE);
            if (hi == Integer.MAX_VALUE) { // no failure above the best pass yet: keep doubling
                return lo >= maxLength ? OptionalInt.empty() : OptionalInt.of(Math.min(maxLength, 2 * lo));
            }
            return hi - lo > 1 ? OptionalInt.of((lo + hi) / 2) : OptionalInt.empty();
        }

        @Override
        public String name() {
            return "bisect";
        }
    }

    /** Every grid length in order, stopping at the first failure. */
    record Grid(List<Integer> lengths) implements StagePolicy {
        @Override
        public OptionalInt next(List<ProgressiveRecord.Stage> history, int maxLength) {
            ProgressiveRecord.Stage s = last(history);
            if (s != null && !s.passed()) {
                return OptionalInt.empty();
            }
            int after = s == null ? 0 : s.length();
            return lengths.stream().filter(l -> l > after && l <= maxLength).mapToInt(l -> l).findFirst();
        }

        @Override
        public String name() {
            return "warm";
        }
    }
}
