package org.cramlab.capacity;

import org.cramlab.cram.CramException;

/**
 * A {@link Strategy} with its parameters: the grid-refinement rounds, or a staged strategy's stage budget,
 * patience, growth and repair. The staged defaults are here and only here: {@code capacity},
 * {@code bench capacity}, {@code plan} and {@link InMemorySearch} all take them from these constants.
 *
 * @param strategy which strategy
 * @param bisectRounds grid refinement: bisection rounds between the grid capacity and the next grid length (0 otherwise)
 * @param stageSteps staged: step budget of every stage
 * @param stagePatience staged: a stage stops after this many steps without a strict accuracy improvement
 * @param grow progressive: tokens added per stage
 * @param repair staged: then repair the capacity boundary with the grid's runs ({@link Repair})
 */
public record SearchMethod(Strategy strategy, int bisectRounds, int stageSteps, int stagePatience, int grow, boolean repair) {
    /**
     * Stage budget when nothing says otherwise. 100 steps are enough for the first stage from a random memory on
     * the default model and stories260K; a failing stage costs what its patience allows, and failing stages are
     * most of a staged search's steps (docs/capacity-search.md, "Defaults and what they cost").
     */
    public static final int DEFAULT_STAGE_STEPS = 100;
    /** Stage patience when nothing says otherwise (see {@link #DEFAULT_STAGE_STEPS}). */
    public static final int DEFAULT_STAGE_PATIENCE = 100;
    /**
     * Staged strategies repair by default. We differ from the paper here on purpose: its rule needs nearly every
     * text exact, and a staged text stops at its first failing stage, so without repair stories260K's staged
     * capacity is 4 where the grid's is 12.
     */
    public static final boolean DEFAULT_REPAIR = true;
    /** Tokens a progressive stage adds when nothing says otherwise. */
    public static final int DEFAULT_GROW = 1;

    public SearchMethod {
        if (bisectRounds < 0) throw new CramException("bisection rounds must be >= 0, got " + bisectRounds);
        if (strategy.isStaged()) {
            if (stageSteps < 1) throw new CramException("stage step budget must be >= 1, got " + stageSteps);
            if (stagePatience < 1) throw new CramException("stage patience must be >= 1 step, got " + stagePatience);
            if (grow < 1) throw new CramException("progressive stages must grow by >= 1 token, got " + grow);
        }
    }

    /** The paper's search: every grid length once. */
    public static SearchMethod grid() {
        return new SearchMethod(Strategy.GRID, 0, DEFAULT_STAGE_STEPS, DEFAULT_STAGE_PATIENCE, DEFAULT_GROW, false);
    }

    /** The grid, then up to {@code rounds} bisection steps between the capacity and the next grid length. */
    public static SearchMethod gridRefinement(int rounds) {
        if (rounds < 0) throw new CramException("bisection rounds must be >= 0, got " + rounds);
        return new SearchMethod(Strategy.GRID_REFINEMENT, rounds, DEFAULT_STAGE_STEPS, DEFAULT_STAGE_PATIENCE, DEFAULT_GROW, false);
    }

    /**
     * A staged strategy: every stage at most {@code stageSteps} steps, stopped after {@code stagePatience} steps
     * without improvement; progressive grows by {@code grow}.
     */
    public static SearchMethod staged(Strategy strategy, int stageSteps, int stagePatience, int grow, boolean repair) {
        if (!strategy.isStaged()) throw new CramException(strategy.label() + " is not a staged strategy");
        return new SearchMethod(strategy, 0, stageSteps, stagePatience, grow, repair);
    }

    /** A staged strategy with the defaults: 100-step stages, patience 100, growth by 1 token, repair. */
    public static SearchMethod staged(Strategy strategy) {
        return staged(strategy, DEFAULT_STAGE_STEPS, DEFAULT_STAGE_PATIENCE, DEFAULT_GROW, DEFAULT_REPAIR);
    }

    /**
     * {@code name} (grid, warm, bisect or progressive; a one-line error names them otherwise), a staged one with
     * the defaults ({@link #staged(Strategy)}); {@code bisectRounds} > 0 refines grid only.
     */
    public static SearchMethod named(String name, int bisectRounds) {
        Strategy kind = Strategy.parse(name);
        if (kind == Strategy.GRID) return bisectRounds > 0 ? gridRefinement(bisectRounds) : grid();
        if (bisectRounds > 0) {
            throw new CramException("bisection rounds refine the grid strategy only, not '" + kind.label() + "'");
        }
        return staged(kind);
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
        return new SearchMethod(strategy, bisectRounds, stageSteps, stagePatience, grow, false);
    }
}
