package org.cramlab.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunRecord;
import org.cramlab.cram.ToyLM;

/**
 * Repair of a staged capacity ({@link Repair}) on the toy of {@link InMemorySearchTest}
 * (capacity 3 by construction: '#' at the 4th token is unreachable, L = 2 and 3 are solved from scratch by
 * the grid's runs). The stages get a learning rate too small to move a memory, so every stage that the
 * warm (or random) start does not already solve fails: the staged pass alone reports a capacity below 3,
 * and only the grid's from-scratch retries can bring it back.
 */
class CapacityRepairTest {

    private static ToyLM model;

    @BeforeAll
    static void load() {
        model = new ToyLM(50, 16, 32, 40, 7).withUnreachable('#' % 50);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static InMemorySearch search(boolean repair) {
        return InMemorySearch.builder(model, InMemorySearchTest.CHARS)
                .optMem(2)
                .optLengths(List.of(2, 3, 4, 8, 16))
                .optGridSettings(CramSettings.builder().optLr(0.1).optMaxSteps(300).optPatience(300).optBatchSize(8).build())
                .optStageSettings(CramSettings.builder().optLr(1e-9).optMaxSteps(20).optPatience(20).optBatchSize(4).build())
                .optRepair(repair)
                .build();
    }

    @Test
    void repairRaisesTheStagedCapacityToTheKnownOneCountsItsStepsAndStopsWhereTheBoundSaysNo() {
        for (Strategy s : List.of(Strategy.WARM_STAGED, Strategy.BISECTION,
                Strategy.PROGRESSIVE)) {
            SearchResult r = search(true).run(s, InMemorySearchTest.TEXTS, new ProgressiveCrammer.Listener() {});
            SearchResult before = r.unrepaired();
            String what = s.label() + ": before " + before.lengths() + ", after " + r.lengths();
            assertTrue(before.capacity() < 3, "the crippled stages alone fall short: " + what);
            assertEquals(3, r.capacity(), what);

            // every retry is the grid's run at a length where its text was below 1.0 before
            assertTrue(!r.runs().isEmpty(), what);
            for (RunRecord run : r.runs()) {
                int length = run.text().length();
                assertTrue(length <= 8, "no retry beyond one length past the first that cannot pass: " + what);
                assertTrue(before.accuracy().get(run.text().textId()).get(length) < 1.0, what);
                assertTrue(run.trajectory().steps() <= 300, "the grid's budget");
            }
            // L = 4 cannot pass (every text <= 2/3): after the first failing retry the mean, even with all
            // remaining texts solved, is (2/3 + 3) / 4 < 0.99, so exactly one retry is spent there; the same at
            // 8, the one length looked at past it (LOOKAHEAD), and none at 16
            assertEquals(1, Repair.LOOKAHEAD);
            for (int l : List.of(4, 8)) {
                assertEquals(1, r.runs().stream().filter(x -> x.text().length() == l).count(), what);
                assertTrue(r.runs().stream().filter(x -> x.text().length() == l).allMatch(x -> x.metrics().bestAccuracy() <= 2.0 / 3 + 1e-6));
            }
            for (LengthMean l : r.lengths()) {
                if (l.length() >= 3) assertEquals(l.length() == 3, l.passed(), what);
            }
            // the window {2, 3} is repaired longest first: 3 passes, so 2 (moot for the capacity) is not retried
            assertEquals(0, r.runs().stream().filter(x -> x.text().length() == 2).count(), what);

            // a decoded retry at 3 continues the text's stages from its memory when 8 first needs that text
            assertTrue(r.staged().stream().flatMap(x -> x.stages().stream()).anyMatch(st -> st.warmFrom() == 3 && st.length() > 3),
                    "a stage continued from a repaired memory: " + what);
            // every step counted: the staged pass, each retry (a stage of its text from a random memory),
            // and the stages continued from repaired memories
            long runSteps = r.runs().stream().mapToLong(x -> x.trajectory().steps()).sum();
            long stageSteps = r.staged().stream().flatMap(x -> x.stages().stream()).mapToLong(ProgressiveRecord.Stage::steps).sum();
            assertEquals(stageSteps, r.optimisationSteps(), what);
            assertEquals(r.staged().stream().mapToLong(ProgressiveRecord::totalSteps).sum(), r.optimisationSteps(), what);
            assertTrue(r.optimisationSteps() >= before.optimisationSteps() + runSteps, what);
            for (RunRecord run : r.runs()) {
                ProgressiveRecord text = r.staged().stream().filter(x -> x.textId().equals(run.text().textId())).findFirst().orElseThrow();
                assertTrue(text.stages().stream().anyMatch(st -> st.length() == run.text().length() && st.warmFrom() == 0
                        && st.steps() == run.trajectory().steps()), "the retry is a stage of its text: " + what);
            }
        }
    }

    @Test
    void withoutRepairTheStagedResultIsUnchangedAndHasNoRuns() {
        SearchResult r = search(false).run(Strategy.WARM_STAGED, InMemorySearchTest.TEXTS,
                new ProgressiveCrammer.Listener() {});
        assertEquals(null, r.unrepaired());
        assertEquals(List.of(), r.runs());
        assertTrue(r.capacity() < 3, r.lengths().toString());
        Map<String, Map<Integer, Double>> acc = r.accuracy();
        assertTrue(acc.values().stream().anyMatch(m -> m.getOrDefault(2, 1.0) < 1.0), acc.toString());
    }
}
