package org.cramlab.experiment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cramlab.cram.CramResult;

/**
 * Steps to the first exact step of a set of runs (issue 26): a run never exact counts as the budget, so the
 * median is what a budget-capped user pays.
 *
 * @param steps steps to exact per run, the budget for runs never exact, sorted
 * @param solved runs that reached accuracy 1.0
 * @param meanBestAccuracy mean of the runs' best teacher-forced accuracy
 */
public record StepsToExact(int[] steps, int solved, double meanBestAccuracy) {

    /** Updates before the first step whose accuracy is 1.0; -1 when never exact. */
    public static int of(CramResult r) {
        List<Double> acc = r.record().trajectory().accuracies();
        for (int i = 0; i < acc.size(); i++) {
            if (acc.get(i) >= 1.0) return i;
        }
        return -1;
    }

    /** Summary of {@code runs} crammed with a budget of {@code budget} steps. */
    public static StepsToExact of(List<CramResult> runs, int budget) {
        int[] st = runs.stream().mapToInt(StepsToExact::of).map(s -> s < 0 ? budget : s).sorted().toArray();
        int solved = (int) runs.stream().filter(r -> of(r) >= 0).count();
        double acc = runs.stream().mapToDouble(r -> r.record().metrics().bestAccuracy()).average().orElse(0);
        return new StepsToExact(st, solved, acc);
    }

    public double median() {
        int n = steps.length;
        return n % 2 == 1 ? steps[n / 2] : (steps[n / 2 - 1] + steps[n / 2]) / 2.0;
    }

    public double mean() {
        return Arrays.stream(steps).average().orElse(0);
    }

    /** One markdown row: init, solved, median, mean, median / random's, mean best accuracy. */
    public String row(String init, double randomMedian) {
        return String.format(Locale.ROOT, "| %s | %d/%d | %.1f | %.1f | %.2f | %.4f |", init, solved, steps.length, median(),
                mean(), median() / randomMedian, meanBestAccuracy);
    }

    /** The header {@link #row} fills. */
    public static String header() {
        return "| init | solved | median steps to exact | mean steps | median / random | mean best accuracy |\n"
                + "| --- | --- | --- | --- | --- | --- |";
    }
}
