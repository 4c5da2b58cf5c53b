package org.cramlab.capacity;

import java.util.Locale;
import java.util.Map;
import org.cramlab.cram.CramException;

/**
 * How a capacity is searched. Each constant's label is what records, plans and the CLI have always used
 * (unchanged, so old plans and run folders read back); the constant's name says what it does.
 */
public enum Strategy {
    /** The paper: every (text, grid length) from a random memory with the full budget. */
    GRID("grid"),
    /** The grid, then bisection rounds between the grid capacity and the next grid length (from scratch). */
    GRID_REFINEMENT("grid+bisect"),
    /** Per text, the grid lengths in order, each stage warm-started from the previous one's best memory. */
    WARM_STAGED("warm"),
    /** Per text, staged: doubling from the first grid length, then bisection, warm-started. */
    BISECTION("bisect"),
    /** Per text, grow by N tokens from 2, warm-started (Progressive Cramming). */
    PROGRESSIVE("progressive");

    /** Spellings {@link #parse} accepts beside the labels (names that say what each does). */
    private static final Map<String, Strategy> ALIASES = Map.of(
            "warm-staged", WARM_STAGED, "bisection", BISECTION, "staged-bisection", BISECTION);

    private final String label;

    Strategy(String label) {
        this.label = label;
    }

    /** The name in records, plans and {@code --strategy}. */
    public String label() {
        return label;
    }

    /** Whether texts are crammed in warm-started stages rather than as independent grid runs. */
    public boolean isStaged() {
        return this == WARM_STAGED || this == BISECTION || this == PROGRESSIVE;
    }

    /**
     * Parses a {@code --strategy} or plan name (case-insensitive): grid, warm, bisect, progressive (or
     * warm-staged, bisection); a one-line error names the valid ones. Grid refinement is grid with rounds.
     */
    public static Strategy parse(String s) {
        String key = s.strip().toLowerCase(Locale.ROOT);
        for (Strategy x : values()) {
            if (x != GRID_REFINEMENT && x.label.equals(key)) return x;
        }
        Strategy alias = ALIASES.get(key);
        if (alias != null) return alias;
        throw new CramException("strategy must be one of grid, warm, bisect, progressive; got '" + s + "'");
    }
}
