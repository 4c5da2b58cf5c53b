package org.cramlab.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.cramlab.core.Progress;
import org.cramlab.run.CapacitySearch;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TextResolver;
import org.cramlab.run.TextSpec;
import org.cramlab.run.TestRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.cram.RunRecord;
import org.cramlab.cram.ToyLM;

/**
 * {@code capacity --strategy warm --repair} through {@link CapacitySearch} on the toy of {@link InMemorySearchTest}
 * (capacity 3 by construction). Stages get one step each, so a stage passes only if its warm start already
 * decodes: the staged pass alone falls short, and the repair's retries, the grid's own runs persisted as
 * run records, bring it to 3. A crash in the middle of the repair resumes to the same result.
 */
class CapacitySearchRepairTest {

    static final List<String> TEXTS = InMemorySearchTest.TEXTS.stream().map(SearchText::text).toList();

    private static CapacitySearch search(boolean repair) {
        List<CapacitySearch.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) {
            candidates.add(new CapacitySearch.Candidate(new TextSpec("literal", null, i, 0), TEXTS.get(i).length()));
        }
        return CapacitySearch.builder("toy", "toy", candidates)
                .optSettings(OptimiserSettings.paper().withLr(0.1).withSteps(300, 300))
                .optMem(2).optLengths(List.of(2, 3, 4, 8, 16)).optMaxPositions(40)
                .optStrategy(SearchMethod.staged(Strategy.WARM_STAGED, 1, 1, 1, repair)).build();
    }

    /** Resolves the toy texts; throws (a crash) at call {@code crashAt} (1-based; 0: never). */
    private static ExperimentRunner runner(int crashAt, AtomicInteger calls) {
        TextResolver resolver = (spec, length, tokenizer) -> {
            if (calls.incrementAndGet() == crashAt) throw new IllegalStateException("crash");
            return new TextResolver.Resolved(TEXTS.get(spec.index()), CapacityTest.chars(TEXTS.get(spec.index()), length));
        };
        return ExperimentRunner.builder().optTexts(resolver).optBatchSize(8)
                .optModelLoader(d -> new ToyLM(50, 16, 32, 40, 7).withUnreachable('#' % 50))
                .optProgress(new Progress.Starter((state, last) -> {})).build();
    }

    @Test
    void repairRunsAreTheGridsRunsAndACrashedRepairResumesToTheSameResult(@TempDir Path dir) throws Exception {
        CapacitySearch.Result staged;
        try (RunFolder folder = RunFolder.open(dir.resolve("staged"), "w")) {
            staged = search(false).run(runner(0, new AtomicInteger()), folder);
        }
        assertTrue(staged.decodingCapacity() < 3, "one-step stages alone fall short: " + staged.lengths());

        CapacitySearch cap = search(true);
        CapacitySearch.Result whole;
        List<RunRecord> wholeRuns;
        try (RunFolder folder = RunFolder.open(dir.resolve("whole"), "w")) {
            whole = cap.run(runner(0, new AtomicInteger()), folder);
            wholeRuns = List.copyOf(folder.records().all());
        }
        assertEquals("warm+repair", whole.strategy());
        assertEquals(3, whole.decodingCapacity(), whole.lengths().toString());
        // every retry is exactly the grid's run (its run id: settings, K, seed, text, length), none beyond L = 8
        Set<String> gridIds = cap.gridRuns().stream().map(RunSpec::runId).collect(Collectors.toSet());
        assertTrue(!wholeRuns.isEmpty());
        for (RunRecord r : wholeRuns) {
            assertTrue(gridIds.contains(r.runId()), r.runId() + " is not one of the grid's runs");
            assertTrue(r.text().length() <= 8, "retries stop one length past 4, which cannot pass");
        }
        // L = 4 cannot pass: one retry there, and one at 8 (the look-ahead) before the repair ends
        assertEquals(1, wholeRuns.stream().filter(r -> r.text().length() == 4).count());
        assertEquals(1, wholeRuns.stream().filter(r -> r.text().length() == 8).count());
        long runSteps = wholeRuns.stream().mapToLong(r -> r.trajectory().steps()).sum();
        assertTrue(whole.optimisationSteps() >= staged.optimisationSteps() + runSteps,
                whole.optimisationSteps() + " steps counted, staged " + staged.optimisationSteps() + " + retries " + runSteps);

        // crash at the second retry's text resolution (4 texts are resolved for the stages first)
        Path crashed = dir.resolve("crashed");
        try (RunFolder folder = RunFolder.open(crashed, "w")) {
            assertThrows(IllegalStateException.class, () -> cap.run(runner(4 + 2, new AtomicInteger()), folder));
            assertEquals(1, folder.records().all().size(), "the first retry was kept");
        }
        long stageLines = TestRecords.stageLines(crashed);
        try (RunFolder folder = RunFolder.open(crashed, "w2")) {
            assertEquals(whole, cap.run(runner(0, new AtomicInteger()), folder));
            assertEquals(wholeRuns.stream().map(RunRecord::runId).sorted().toList(),
                    folder.records().all().stream().map(RunRecord::runId).sorted().toList());
        }
        assertTrue(TestRecords.stageLines(crashed) >= stageLines);
        // and once done, a rerun computes nothing: no text is resolved for a run, no stage or record is added
        long done = TestRecords.stageLines(crashed);
        AtomicInteger calls = new AtomicInteger();
        try (RunFolder folder = RunFolder.open(crashed, "w3")) {
            assertEquals(whole, cap.run(runner(0, calls), folder));
            assertEquals(wholeRuns.size(), folder.records().all().size());
        }
        assertEquals(4, calls.get(), "only the stages' texts are resolved (to key them), no retry is run again");
        assertEquals(done, TestRecords.stageLines(crashed));
    }
}
