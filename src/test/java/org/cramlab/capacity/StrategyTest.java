package org.cramlab.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cramlab.cram.CramException;
import org.junit.jupiter.api.Test;

/** The strategy names: today's spellings keep their meaning, the new ones map onto them, none has two meanings. */
class StrategyTest {

    @Test
    void todaysSpellingsAndTheNewOnesParseToTheSameStrategies() {
        Map<String, Strategy> names = Map.of("grid", Strategy.GRID, "warm", Strategy.WARM_STAGED, "WARM-staged",
                Strategy.WARM_STAGED, "bisect", Strategy.BISECTION, " bisection ", Strategy.BISECTION, "progressive",
                Strategy.PROGRESSIVE);
        names.forEach((name, expected) -> assertEquals(expected, Strategy.parse(name), name));
        // labels in records and plans are unchanged
        assertEquals(List.of("grid", "grid+bisect", "warm", "bisect", "progressive"),
                java.util.Arrays.stream(Strategy.values()).map(Strategy::label).toList());
    }

    @Test
    void gridRefinementIsGridWithRoundsNotAName() {
        CramException e = assertThrows(CramException.class, () -> Strategy.parse("grid+bisect"));
        assertTrue(e.getMessage().contains("grid, warm, bisect, progressive"), e.getMessage());
        assertEquals(Strategy.GRID_REFINEMENT, SearchMethod.named("grid", 2).strategy());
        assertEquals(Strategy.BISECTION, SearchMethod.named("bisect", 0).strategy(), "bisect alone is the staged bisection");
        assertThrows(CramException.class, () -> SearchMethod.named("bisect", 2), "rounds refine the grid only");
    }

    @Test
    void theRuleIsTheLargestPassingGridLength() {
        // text a passes at 4 and 8, text b at 4 only: mean at 8 is 0.95 (fails), at 16 both 1.0 (passes)
        Map<String, Map<Integer, Double>> acc = Map.of(
                "a", new java.util.TreeMap<>(Map.of(4, 1.0, 8, 1.0, 16, 1.0)),
                "b", new java.util.TreeMap<>(Map.of(4, 1.0, 8, 0.9, 16, 1.0)));
        List<LengthMean> stats = CapacityRule.perLength(acc);
        assertEquals(List.of(4, 8, 16), stats.stream().map(LengthMean::length).toList());
        assertEquals(0.95, stats.get(1).meanBestAccuracy(), 1e-12);
        assertEquals(16, CapacityRule.decodingCapacity(stats, null).orElse(0));
        assertEquals(4, CapacityRule.decodingCapacity(stats, List.of(4, 8)).orElse(0), "lengths off the grid do not count");
        assertEquals(List.of(4, 8), CapacityRule.fittingLengths(List.of(1, 4, 8, 16), 2, 12), "max(2, K) <= L <= 12 - K");
    }
}
