package org.cramlab.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.cramlab.cram.CramException;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunRecord;
import org.cramlab.cram.ToyLM;

/**
 * The four capacity strategies on a toy whose capacity is known by construction: token '#' can never
 * be the model's argmax (its logit is 1e4 below the rest), and every text has '#' as its 4th token,
 * so no memory solves L >= 4 (one of its 3 targets is always wrong: accuracy <= 2/3), while the toy
 * solves L = 2 and 3 from any start. Capacity on the grid {2, 3, 4, 8, 16} is therefore 3.
 */
class InMemorySearchTest {

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
    static final SearchTokenizer CHARS = new SearchTokenizer() {
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

    static final List<SearchText> TEXTS = List.of(
            new SearchText("a", "literal", "the# quick brown fox"),
            new SearchText("b", "literal", "pac#k my box with fi"),
            new SearchText("c", "literal", "who# saw the six owl"),
            new SearchText("d", "literal", "jum#ping over lazy d"));

    @Test
    void gridWarmBisectAndProgressiveAgreeOnTheKnownCapacity() {
        InMemorySearch search = InMemorySearch.builder(model, CHARS)
                .optMem(2)
                .optLengths(List.of(2, 3, 4, 8, 16))
                .optGridSettings(CramSettings.builder().optLr(0.1).optMaxSteps(300).optPatience(300).optBatchSize(8).build())
                .optStageSettings(CramSettings.builder().optLr(0.1).optMaxSteps(150).optPatience(150).optBatchSize(4).build())
                .optRepair(false) // the staged passes alone (CapacityRepairTest repairs)
                .build();
        Map<Strategy, SearchResult> results = new EnumMap<>(Strategy.class);
        for (Strategy s : InMemorySearch.STRATEGIES) {
            results.put(s, search.run(s, TEXTS, new ProgressiveCrammer.Listener() {}));
        }
        SearchResult grid = results.get(Strategy.GRID);
        assertEquals(20, grid.runs().size(), "4 texts x 5 lengths, each from scratch");
        assertEquals(grid.runs().stream().mapToLong((RunRecord x) -> x.trajectory().steps()).sum(), grid.optimisationSteps());
        for (SearchResult r : results.values()) {
            String what = r.strategy().label() + ": " + r.lengths();
            assertEquals(3, r.capacity(), what);
            for (LengthMean l : r.lengths()) {
                assertEquals(l.length() <= 3, l.passed(), what);
                assertTrue(l.length() <= 3 || l.meanBestAccuracy() <= 2.0 / 3 + 1e-6, what);
            }
            for (SearchText t : TEXTS) {
                assertEquals(3, r.horizons().get(t.id()), r.strategy() + " horizon of " + t.id());
            }
            if (r.strategy() != Strategy.GRID) {
                assertEquals(r.staged().stream().mapToLong(ProgressiveRecord::totalSteps).sum(), r.optimisationSteps());
                assertTrue(r.optimisationSteps() < grid.optimisationSteps(),
                        r.strategy() + " " + r.optimisationSteps() + " vs grid " + grid.optimisationSteps());
            }
        }
        // progressive: stages 2, 3, 4 (the failure) per text; the grid lengths 8, 16 are evaluated, not optimised
        SearchResult p = results.get(Strategy.PROGRESSIVE);
        for (ProgressiveRecord r : p.staged()) {
            assertEquals(List.of(2, 3, 4), r.stages().stream().map(ProgressiveRecord.Stage::length).toList());
        }
        assertEquals(4 * 2, p.evaluationForwards(), "lengths 8 and 16: the 4-token stage's memory, per text");
        // bisect: doubling 2, 4 (fail), then 3
        for (ProgressiveRecord r : results.get(Strategy.BISECTION).staged()) {
            assertEquals(List.of(2, 4, 3), r.stages().stream().map(ProgressiveRecord.Stage::length).toList());
        }
    }

    @Test
    void strategyNamesParse() {
        assertEquals(Strategy.BISECTION, Strategy.parse("Bisect"));
        CramException e = assertThrows(CramException.class, () -> Strategy.parse("binary"));
        assertTrue(e.getMessage().contains("grid, warm, bisect, progressive") && e.getMessage().contains("binary"));
    }
}
