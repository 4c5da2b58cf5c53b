package org.cramlab.capacity;

import org.cramlab.cram.CramException;

/**
 * A {@link Strategy} with its parameters: the grid-refinement rounds, or a staged strategy's stage budget,
 * growth and repair.
 *
 * @param strategy which strategy
 * @param bisectRounds grid refinement: bisection rounds between the grid capacity and the next grid length (0 otherwise)
 * @param stageSteps staged: step budget and patience of every stage
 * @param grow progressive: tokens added per stage
 * @param repair staged: then repair the capacity boundary with the grid's runs ({@link Repair})
 */
public record SearchMethod(Strategy strategy, int bisectRounds, int stageSteps, int grow, boolean repair) {
    /** What a staged strategy's stages get when nothing says otherwise: 500 steps, growth by 1 token. */
    public static final int DEFAULT_STAGE_STEPS = 500;

    public SearchMethod {
        if (bisectRounds < 0) throw new CramException("bisection rounds must be >= 0, got " + bisectRounds);
        if (strategy.isStaged()) {
            if (stageSteps < 1) throw new CramException("stage step budget must be >= 1, got " + stageSteps);
            if (grow < 1) throw new CramException("progressive stages must grow by >= 1 token, got " + grow);
        }
    }

    /** The paper's search: every grid length once. */
    public static SearchMethod grid() {
        return new SearchMethod(Strategy.GRID, 0, DEFAULT_STAGE_STEPS, 1, false);
    }

    /** The grid, then up to {@code rounds} bisection steps between the capacity and the next grid length. */
    public static SearchMethod gridRefinement(int rounds) {
        if (rounds < 0) throw new CramException("bisection rounds must be >= 0, got " + rounds);
        return new SearchMethod(Strategy.GRID_REFINEMENT, rounds, DEFAULT_STAGE_STEPS, 1, false);
    }

    /** A staged strategy: every stage at most {@code stageSteps} steps (and patience), progressive grows by {@code grow}. */
    public static SearchMethod staged(Strategy strategy, int stageSteps, int grow, boolean repair) {
        if (!strategy.isStaged()) throw new CramException(strategy.label() + " is not a staged strategy");
        return new SearchMethod(strategy, 0, stageSteps, grow, repair);
    }

    /**
     * {@code name} (grid, warm, bisect or progressive; a one-line error names them otherwise) with the default
     * stage budget (500 steps) and growth (1 token); {@code bisectRounds} > 0 refines grid only.
     */
    public static SearchMethod named(String name, int bisectRounds) {
        Strategy kind = Strategy.parse(name);
        if (kind == Strategy.GRID) return bisectRounds > 0 ? gridRefinement(bisectRounds) : grid();
        if (bisectRounds > 0) {
            throw new CramException("bisection rounds refine the grid strategy only, not '" + kind.label() + "'");
        }
        return staged(kind, DEFAULT_STAGE_STEPS, 1, false);
    }

    /** The name recorded in params.json (e.g. grid, grid+bisect, warm). */
    public String name() {
        return strategy.label();
    }

    public boolean isStaged() {
        return strategy.isStaged();
    }

    /** This method without repair (a shard's staged pass). */
    public SearchMethod withoutRepair() {
        return new SearchMethod(strategy, bisectRounds, stageSteps, grow, false);
    }
}
