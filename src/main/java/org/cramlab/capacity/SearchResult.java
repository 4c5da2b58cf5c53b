package org.cramlab.capacity;

import java.util.List;
import java.util.Map;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunRecord;

/**
 * The outcome of one strategy.
 *
 * @param strategy which strategy
 * @param grid the grid lengths
 * @param lengths per grid length: texts, mean best accuracy, passed
 * @param capacity the largest passing grid length (0: none)
 * @param optimisationSteps forward/backward steps over all runs and stages (forward passes, as
 *     {@link org.cramlab.cram.RunRecord.Trajectory#steps()})
 * @param evaluationForwards forward-only evaluations of stage memories at grid lengths
 * @param wallSeconds wall time of the search
 * @param horizons per text id, the longest prefix a memory of the search decodes greedily (units of L)
 * @param accuracy per text id, its accuracy at each grid length (as used for the means)
 * @param runs the grid's run records (grid strategy), or the repair's from-scratch grid runs (staged)
 * @param staged the staged strategies' per-text records (with repair: including each repair as a stage
 *     with {@code warmFrom} 0 and the grid run's steps, and the stages that continued from it)
 * @param unrepaired with repair: the staged strategy's result before the repair (its capacity, steps,
 *     wall time); null otherwise
 */
public record SearchResult(
        Strategy strategy,
        List<Integer> grid,
        List<LengthMean> lengths,
        int capacity,
        long optimisationSteps,
        long evaluationForwards,
        double wallSeconds,
        Map<String, Integer> horizons,
        Map<String, Map<Integer, Double>> accuracy,
        List<RunRecord> runs,
        List<ProgressiveRecord> staged,
        SearchResult unrepaired) {

    /** This result with {@code seconds} as its wall time. */
    SearchResult withWallSeconds(double seconds) {
        return new SearchResult(strategy, grid, lengths, capacity, optimisationSteps, evaluationForwards, seconds, horizons,
                accuracy, runs, staged, unrepaired);
    }
}
