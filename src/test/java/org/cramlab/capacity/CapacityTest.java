package org.cramlab.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.run.CapacitySearch;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.RunFolder;
import org.cramlab.run.TextResolver;
import org.cramlab.run.TextSpec;
import org.cramlab.core.Progress;
import org.cramlab.report.Aggregates;
import org.cramlab.run.TestRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.cram.RunRecord;
import org.cramlab.cram.ToyLM;

/** A capacity search on the toy model, through the experiment runner: grid, the 0.99 rule, bisection, resume. */
class CapacityTest {

    /** One token per character (code point mod 50), no special tokens. */
    static int[] chars(String text, int maxLength) {
        return text.chars().limit(maxLength).map(c -> c % 50).toArray();
    }

    static final List<String> TEXTS = List.of(
            "the quick brown fox jumps over the lazy dog", "pack my box with five dozen liquor jugs!!", "short");

    static final TextResolver RESOLVER = (spec, length, tokenizer) -> {
        int[] ids = chars(TEXTS.get(spec.index()), length);
        return new TextResolver.Resolved(TEXTS.get(spec.index()), ids);
    };

    @Test
    void gridRunsEveryTextAtEveryLengthAndAppliesThe099Rule(@TempDir Path dir) {
        List<CapacitySearch.Candidate> texts = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) {
            texts.add(new CapacitySearch.Candidate(new TextSpec("literal", null, i, 0), chars(TEXTS.get(i), 1000).length));
        }
        CapacitySearch cap = CapacitySearch.builder("toy", "toy", texts)
                .optSettings(OptimiserSettings.paper().withLr(0.1).withSteps(150, 150))
                .optMem(2)
                .optLengths(List.of(2, 4, 16, 64))
                .optStrategy(SearchMethod.gridRefinement(3))
                .optMaxPositions(40)
                .build();
        // 64 + K = 66 > 40 positions: dropped
        assertEquals(List.of(2, 4, 16), cap.grid());
        List<Progress.State> states = new ArrayList<>();
        ExperimentRunner runner = ExperimentRunner.builder().optTexts(RESOLVER).optGreedyCheck(false)
                .optModelLoader(d -> new ToyLM(50, 16, 32, 40, 7))
                .optProgress(new Progress.Starter((state, last) -> states.add(state))).build();
        CapacitySearch.Result r;
        List<RunRecord> records;
        try (RunFolder folder = RunFolder.open(dir, "w")) {
            r = cap.run(runner, folder);
            records = List.copyOf(folder.records().all());
        }
        // "short" has 5 tokens: it runs at 2 and 4 only
        long gridRuns = records.stream().filter(x -> cap.grid().contains(x.text().length())).count();
        assertEquals(3 + 3 + 2, gridRuns);
        int finished = 0, shown = 0; // runs the progress displays counted done, over every stage's display
        for (Progress.State s : states) {
            if (s.done() < shown) shown = 0; // a new stage's display
            finished += s.done() - shown;
            shown = s.done();
        }
        assertEquals(records.size(), finished, "every run was reported finished by the runner's progress");
        for (Aggregates.LengthStats l : r.lengths()) {
            double mean = records.stream().filter(x -> x.text().length() == l.length())
                    .mapToDouble(rec -> rec.metrics().bestAccuracy()).average().orElseThrow();
            assertEquals(mean, l.meanBestAccuracy(), 1e-12);
            assertEquals(mean >= 0.99, l.passed());
        }
        int expected = r.lengths().stream().filter(l -> l.passed() && cap.grid().contains(l.length()))
                .mapToInt(Aggregates.LengthStats::length).max().orElse(0);
        assertEquals(expected, r.decodingCapacity());
        // a single target (L = 2) is always learnable by a memory: the capacity is at least 2
        assertTrue(r.decodingCapacity() >= 2, r.lengths().toString());
        assertTrue(r.bisectedCapacity() >= r.decodingCapacity());
        if (r.decodingCapacity() == 2) {
            // L=4 fails on this toy: bisection between 2 and 4 runs all texts at 3
            assertEquals(3, records.stream().filter(x -> x.text().length() == 3).count());
            assertEquals(r.lengths().stream().anyMatch(l -> l.length() == 3 && l.passed()) ? 3 : 2, r.bisectedCapacity());
        }

        // Rerun on the same folder: every stage is replayed from the records, nothing is computed again.
        TextResolver refuse = (spec, length, tok) -> {
            throw new AssertionError("recomputed " + spec.id() + " at L = " + length);
        };
        try (RunFolder folder = RunFolder.open(dir, "w2")) {
            CapacitySearch.Result again = cap.run(ExperimentRunner.builder().optTexts(refuse)
                    .optModelLoader(d -> new ToyLM(50, 16, 32, 40, 7)).optProgress(new Progress.Starter((s, l) -> {})).build(), folder);
            assertEquals(r, again);
        }
    }

    /**
     * Grid and the staged warm strategy through {@link CapacitySearch} and the experiment runner on the toy
     * of {@link InMemorySearchTest} (capacity 3 by construction: '#' at the 4th token is unreachable),
     * then the warm search resumed in its folder: every stage is read back, none is optimised again.
     */
    @Test
    void warmFindsTheGridsKnownCapacityWithFewerStepsAndResumesWithoutComputing(@TempDir Path dir) throws Exception {
        List<String> texts = InMemorySearchTest.TEXTS.stream().map(SearchText::text).toList();
        TextResolver resolver = (spec, length, tokenizer) ->
                new TextResolver.Resolved(texts.get(spec.index()), chars(texts.get(spec.index()), length));
        List<CapacitySearch.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            candidates.add(new CapacitySearch.Candidate(new TextSpec("literal", null, i, 0), texts.get(i).length()));
        }
        java.util.Map<String, CapacitySearch.Result> results = new java.util.LinkedHashMap<>();
        for (SearchMethod s : List.of(SearchMethod.grid(),
                SearchMethod.staged(Strategy.WARM_STAGED, 150, 150, 1, false))) {
            CapacitySearch cap = CapacitySearch.builder("toy", "toy", candidates)
                    .optSettings(OptimiserSettings.paper().withLr(0.1).withSteps(300, 300))
                    .optMem(2).optLengths(List.of(2, 3, 4, 8, 16)).optStrategy(s).optMaxPositions(40).build();
            ExperimentRunner runner = ExperimentRunner.builder().optTexts(resolver).optGreedyCheck(false).optBatchSize(8)
                    .optModelLoader(d -> new ToyLM(50, 16, 32, 40, 7).withUnreachable('#' % 50))
                    .optProgress(new Progress.Starter((state, last) -> {})).build();
            Path out = dir.resolve(s.name());
            try (RunFolder folder = RunFolder.open(out, "w")) {
                results.put(s.name(), cap.run(runner, folder));
            }
            if (s.isStaged()) {
                long lines = TestRecords.stageLines(out);
                assertEquals(4 * 3, lines, "warm: stages 2, 3 and the failing 4 per text");
                try (RunFolder folder = RunFolder.open(out, "w2")) {
                    assertEquals(results.get(s.name()), cap.run(runner, folder), "the resumed search reads the same result back");
                }
                assertEquals(lines, TestRecords.stageLines(out), "the resumed search optimised no stage again");
            }
        }
        CapacitySearch.Result grid = results.get("grid"), warm = results.get("warm");
        assertEquals(3, grid.decodingCapacity(), grid.lengths().toString());
        assertEquals(3, warm.decodingCapacity(), warm.lengths().toString());
        assertEquals("warm", warm.strategy());
        for (Aggregates.LengthStats l : warm.lengths()) {
            assertEquals(l.length() <= 3, l.passed(), warm.lengths().toString());
        }
        assertTrue(warm.optimisationSteps() > 0 && warm.optimisationSteps() < grid.optimisationSteps(),
                "warm " + warm.optimisationSteps() + " vs grid " + grid.optimisationSteps());
    }

}
