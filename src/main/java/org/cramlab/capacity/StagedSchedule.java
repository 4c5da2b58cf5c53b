package org.cramlab.capacity;

import java.util.List;
import org.cramlab.cram.CramException;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.StagePolicy;
import org.cramlab.model.CausalLM;

/** The engine of a staged strategy: its schedule of stage lengths over the grid, the stage settings, restart on failure. */
public final class StagedSchedule {
    private StagedSchedule() {}

    /**
     * The crammer of {@code strategy} (warm: the grid lengths in order; bisection: doubling from the first grid
     * length, then bisection; progressive: from 2, {@code grow} tokens per stage).
     *
     * @param grid the grid lengths, ascending
     * @param restart retry a failed warm-started stage once from a random memory
     */
    public static ProgressiveCrammer crammer(CausalLM model, Strategy strategy, List<Integer> grid, CramSettings stageSettings,
            int grow, boolean restart) {
        StagePolicy policy = switch (strategy) {
            case WARM_STAGED -> StagePolicy.grid(grid);
            case BISECTION -> StagePolicy.bisect(Math.max(2, grid.get(0)));
            case PROGRESSIVE -> StagePolicy.grow(2, grow);
            case GRID, GRID_REFINEMENT -> throw new CramException(strategy.label() + " is not a staged strategy");
        };
        return ProgressiveCrammer.builder(model).optSettings(stageSettings).optPolicy(policy)
                .optRestartOnFailure(restart).build();
    }
}
