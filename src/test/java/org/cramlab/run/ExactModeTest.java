package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cramlab.cram.RunRecord;
import org.cramlab.core.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.Profile;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;
import org.cramlab.run.ExactModeTest;
import org.cramlab.run.ExperimentRunnerTest;

/** Exact mode: each run alone, so an interrupted-then-resumed plan equals the uninterrupted one bit for bit. */
class ExactModeTest {

    static ExperimentRunner runner(boolean exact) {
        return ExperimentRunner.builder().optTexts(ExperimentRunnerTest.IDS).optBatchSize(3).optExact(exact)
                .optProgress(new Progress.Starter((state, last) -> { })).build();
    }

    static ExperimentRunner.Result run(ExperimentRunner runner, ExperimentPlan plan, Path dir) {
        try (RunFolder folder = RunFolder.open(dir)) {
            return runner.run(plan, folder);
        }
    }

    @Test
    void anInterruptedThenResumedExactPlanEqualsTheUninterruptedOneBitForBit(@TempDir Path tmp) throws Exception {
        ExperimentPlan plan = ExperimentRunnerTest.plan();
        ExperimentPlan exact = plan.exact();
        assertTrue(exact.isExact() && !plan.isExact());
        List<RunRecord> whole = run(runner(true), plan, tmp.resolve("whole")).records(); // optExact marks the plan exact
        assertEquals(exact.runs().stream().map(RunSpec::runId).toList(), whole.stream().map(RunRecord::runId).toList());

        // interrupted after three runs of another composition, then resumed: the other five run on their own
        Path resumed = tmp.resolve("resumed");
        run(runner(false), new ExperimentPlan(plan.name(), List.of(exact.runs().get(6), exact.runs().get(1),
                exact.runs().get(4))), resumed);
        ExperimentRunner.Result second = run(runner(false), exact, resumed);
        assertEquals(5, second.computed());
        assertEquals(3, second.reused());

        for (int i = 0; i < whole.size(); i++) {
            RunRecord a = whole.get(i), b = second.records().get(i);
            assertEquals(a.runId(), b.runId());
            assertEquals(a.trajectory().losses(), b.trajectory().losses(), "run " + i + ": losses bit for bit");
            assertEquals(a.trajectory().accuracies(), b.trajectory().accuracies());
            assertEquals(a.metrics().informationGainNats(), b.metrics().informationGainNats());
            assertArrayEquals(Files.readAllBytes(tmp.resolve("whole").resolve(a.memoryFile())),
                    Files.readAllBytes(resumed.resolve(b.memoryFile())), "run " + i + ": best memory bit for bit");
        }
    }

    @Test
    void exactModeIsPartOfTheRunIdAndBatchedIdsAreUnchanged() {
        RunSpec batched = ExperimentRunnerTest.plan().runs().get(0);
        assertFalse(batched.canonicalJson().contains("exact"), "batched runs keep the ids they always had");
        assertNotEquals(batched.runId(), batched.asExact().runId(), "exact and batched records never mix");
        assertEquals(batched, new RunSpec(batched.modelDir(), batched.modelId(), batched.text(), batched.length(),
                batched.nMem(), batched.seed(), batched.settings(), false));
    }

    @Test
    void cramlabExactSelectsBatchSizeOne() {
        Profile p = Profile.fromEnv(Map.of("CRAMLAB_EXACT", "1"), Path.of("/m"));
        assertEquals(1, p.batchSize());
        assertEquals(Profile.smoke().batchSize(), Profile.fromEnv(Map.of("CRAMLAB_EXACT", "0"), Path.of("/m")).batchSize());
        ExperimentException e = assertThrows(ExperimentException.class,
                () -> Profile.fromEnv(Map.of("CRAMLAB_EXACT", "maybe"), Path.of("/m")));
        assertTrue(e.getMessage().contains("CRAMLAB_EXACT") && e.getMessage().contains("maybe"), e.getMessage());
    }
}
