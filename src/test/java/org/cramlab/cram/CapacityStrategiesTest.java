package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The four capacity strategies on a toy whose capacity is known by construction: token '#' can never
 * be the model's argmax (its logit is 1e4 below the rest), and every text has '#' as its 4th token,
 * so no memory solves L >= 4 (one of its 3 targets is always wrong: accuracy <= 2/3), while the toy
 * solves L = 2 and 3 from any start. Capacity on the grid {2, 3, 4, 8, 16} is therefore 3.
 */
class CapacityStrategiesTest {

    private static ToyLM model;

    @BeforeAll
    static void load() {
        model = new ToyLM(50, 16, 32, 40, 7).withUnreachable('#' % 50);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** One id per character (mod the toy's 50 ids). */
    static final CapacityStrategies.Tokenizer CHARS = new CapacityStrategies.Tokenizer() {
        @Override
        public int[] encode(String text, int maxLength) {
            return text.chars().limit(maxLength).map(c -> c % 50).toArray();
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder s = new StringBuilder();
            for (int id : ids) s.append((char) ('0' + id));
            return s.toString();
        }
    };

    static final List<CapacityStrategies.Text> TEXTS = List.of(
            new CapacityStrategies.Text("a", "literal", "the# quick brown fox"),
            new CapacityStrategies.Text("b", "literal", "pac#k my box with fi"),
            new CapacityStrategies.Text("c", "literal", "who# saw the six owl"),
            new CapacityStrategies.Text("d", "literal", "jum#ping over lazy d"));

    @Test
    void gridWarmBisectAndProgressiveAgreeOnTheKnownCapacity() {
        CapacityStrategies search = CapacityStrategies.builder(model, CHARS)
                .optMem(2)
                .optLengths(List.of(2, 3, 4, 8, 16))
                .optGridSettings(CramSettings.builder().optLr(0.1).optMaxSteps(300).optPatience(300).optBatchSize(8).build())
                .optStageSettings(CramSettings.builder().optLr(0.1).optMaxSteps(150).optPatience(150).optBatchSize(4).build())
                .build();
        Map<CapacityStrategies.Strategy, CapacityStrategies.Result> results = new EnumMap<>(CapacityStrategies.Strategy.class);
        for (CapacityStrategies.Strategy s : CapacityStrategies.Strategy.values()) {
            results.put(s, search.run(s, TEXTS, new ProgressiveCrammer.Listener() {}));
        }
        CapacityStrategies.Result grid = results.get(CapacityStrategies.Strategy.GRID);
        assertEquals(20, grid.runs().size(), "4 texts x 5 lengths, each from scratch");
        assertEquals(grid.runs().stream().mapToLong((RunRecord x) -> x.trajectory().steps()).sum(), grid.optimisationSteps());
        for (CapacityStrategies.Result r : results.values()) {
            String what = r.strategy().label() + ": " + r.lengths();
            assertEquals(3, r.capacity(), what);
            for (CapacityStrategies.LengthStats l : r.lengths()) {
                assertEquals(l.length() <= 3, l.passed(), what);
                assertTrue(l.length() <= 3 || l.meanBestAccuracy() <= 2.0 / 3 + 1e-6, what);
            }
            for (CapacityStrategies.Text t : TEXTS) {
                assertEquals(3, r.horizons().get(t.id()), r.strategy() + " horizon of " + t.id());
            }
            if (r.strategy() != CapacityStrategies.Strategy.GRID) {
                assertEquals(r.staged().stream().mapToLong(ProgressiveRecord::totalSteps).sum(), r.optimisationSteps());
                assertTrue(r.optimisationSteps() < grid.optimisationSteps(),
                        r.strategy() + " " + r.optimisationSteps() + " vs grid " + grid.optimisationSteps());
            }
        }
        // progressive: stages 2, 3, 4 (the failure) per text; the grid lengths 8, 16 are evaluated, not optimised
        CapacityStrategies.Result p = results.get(CapacityStrategies.Strategy.PROGRESSIVE);
        for (ProgressiveRecord r : p.staged()) {
            assertEquals(List.of(2, 3, 4), r.stages().stream().map(ProgressiveRecord.Stage::length).toList());
        }
        assertEquals(4 * 2, p.evaluationForwards(), "lengths 8 and 16: the 4-token stage's memory, per text");
        // bisect: doubling 2, 4 (fail), then 3
        for (ProgressiveRecord r : results.get(CapacityStrategies.Strategy.BISECT).staged()) {
            assertEquals(List.of(2, 4, 3), r.stages().stream().map(ProgressiveRecord.Stage::length).toList());
        }
    }

    @Test
    void strategyNamesParse() {
        assertEquals(CapacityStrategies.Strategy.BISECT, CapacityStrategies.Strategy.parse("Bisect"));
        CramException e = assertThrows(CramException.class, () -> CapacityStrategies.Strategy.parse("binary"));
        assertTrue(e.getMessage().contains("grid, warm, bisect, progressive") && e.getMessage().contains("binary"));
    }
}
