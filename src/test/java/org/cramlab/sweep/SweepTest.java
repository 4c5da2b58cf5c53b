package org.cramlab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.run.RecordStore;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TestRecords;
import org.cramlab.run.TextSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
    private static final Launcher JAR = new Launcher("/usr/bin/java", List.of("-jar", "/shared/lib/cramlab.jar"));

    /** A plan of {@code n} runs: lengths x texts, as a capacity grid would be. */
    static ExperimentPlan plan(int n) {
        List<RunSpec> runs = new ArrayList<>();
        OptimiserSettings s = OptimiserSettings.paper().withSteps(10, 5);
        for (int i = 0; i < n; i++) {
            runs.add(new RunSpec("/models/m", "m", new TextSpec("book", null, i % 7, 0), 8 + i / 7, 1, 0, s));
        }
        return new ExperimentPlan("grid", runs);
    }

    /** Records every run it is given, as the experiment runner would, and remembers them. */
    static final class FakeRunner implements ShardExecutor {
        final List<String> ran = new ArrayList<>();

        @Override
        public void run(ExperimentPlan plan, List<RunSpec> runs, RunFolder folder) {
            for (RunSpec r : runs) {
                ran.add(r.runId());
                folder.append(TestRecords.forSpec(r, 1.0));
            }
        }
    }

    @Test
    void everyRunIsInExactlyOneShardForAnyCount() {
        ExperimentPlan plan = plan(53);
        Set<String> all = plan.runs().stream().map(RunSpec::runId).collect(Collectors.toSet());
        for (int n : new int[] {1, 2, 3, 5, 8, 16, 53, 100}) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < n; i++) plan.shard(i, n).forEach(r -> seen.add(r.runId()));
            assertEquals(53, seen.size(), "n=" + n + ": a run in two shards or in none");
            assertEquals(all, new HashSet<>(seen), "n=" + n);
        }
        // Ids are hashes: 53 runs over 3 shards leave none empty.
        for (int i = 0; i < 3; i++) assertFalse(plan.shard(i, 3).isEmpty());
    }

    @Test
    void pendingSkipsRecordedRunsOnly() {
        ExperimentPlan plan = plan(20);
        Shard s = new Shard(1, 3);
        List<RunSpec> mine = plan.shard(1, 3);
        Set<String> done = Set.of(mine.get(0).runId(), plan.shard(0, 3).get(0).runId());
        List<RunSpec> todo = Sweep.pending(plan, s, done);
        assertEquals(mine.size() - 1, todo.size());
        assertFalse(todo.contains(mine.get(0)));
        assertEquals(mine.subList(1, mine.size()), todo);
    }

    @Test
    void shardsWriteOwnFilesAndMergeToEveryRunOnce(@TempDir Path dir) throws IOException {
        ExperimentPlan plan = plan(30);
        FakeRunner runner = new FakeRunner();
        List<ShardResult> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) results.add(Sweep.runShard(plan, new Shard(i, 4), dir, runner, "slurm9"));
        assertEquals(30, runner.ran.size());
        assertEquals(30, new HashSet<>(runner.ran).size());
        try (Stream<Path> files = Files.list(dir.resolve("records"))) {
            assertEquals(Set.of("shard-0-of-4-slurm9.jsonl", "shard-1-of-4-slurm9.jsonl", "shard-2-of-4-slurm9.jsonl",
                    "shard-3-of-4-slurm9.jsonl"), files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        assertEquals(plan.runs().stream().map(RunSpec::runId).collect(Collectors.toSet()), RecordStore.read(dir).ids());
        assertEquals(30, results.stream().mapToInt(ShardResult::ran).sum());
    }

    @Test
    void rerunAfterACrashRunsOnlyWhatIsMissing(@TempDir Path dir) {
        ExperimentPlan plan = plan(12);
        // The first attempt of shard 0/2 dies after two runs.
        ShardExecutor crashing = (p, runs, folder) -> {
            folder.append(TestRecords.forSpec(runs.get(0), 1.0));
            folder.append(TestRecords.forSpec(runs.get(1), 1.0));
            throw new IllegalStateException("node died");
        };
        try {
            Sweep.runShard(plan, new Shard(0, 2), dir, crashing, "slurm1");
        } catch (IllegalStateException expected) {
            // as a killed task
        }
        int shard0 = plan.shard(0, 2).size();
        FakeRunner rerun = new FakeRunner();
        // Resubmitted with another shard count: still only the missing runs.
        for (int i = 0; i < 3; i++) Sweep.runShard(plan, new Shard(i, 3), dir, rerun, "slurm2");
        assertEquals(12 - 2, rerun.ran.size());
        assertEquals(12, RecordStore.read(dir).size());
        ShardResult again = Sweep.runShard(plan, Shard.all(), dir, rerun, "slurm3");
        assertEquals(new ShardResult(Shard.all(), 12, 12, 0, null), again);
        assertTrue(shard0 >= 2);
    }

    @Test
    void statusCountsRecordsPerShard(@TempDir Path dir) {
        ExperimentPlan plan = plan(10);
        Sweep.runShard(plan, new Shard(1, 2), dir, new FakeRunner(), "x");
        SweepStatus st = Sweep.status(plan, dir, 2, null);
        int inShard1 = plan.shard(1, 2).size();
        assertEquals(10, st.total());
        assertEquals(inShard1, st.done());
        assertEquals(0, st.shards().get(0).done());
        assertEquals(inShard1, st.shards().get(1).done());
        assertEquals(List.of(new Shard(0, 2)), st.incompleteShards());
        assertFalse(st.complete());
        assertTrue(st.render().contains(inShard1 + "/10 runs done"), st.render());
        // Without a Slurm submission the shard count comes from the shard record files.
        assertEquals(2, Sweep.status(plan, dir).shards().size());
        assertEquals(1, Sweep.status(plan, dir.resolve("empty")).shards().size());
    }

    @Test
    void submitWithoutSbatchWritesScriptForMissingShardsOnly(@TempDir Path dir) throws IOException {
        ExperimentPlan plan = plan(9);
        Sweep.runShard(plan, new Shard(0, 3), dir, new FakeRunner(), "a");
        Submission sub = Sweep.submit(plan, dir, SlurmOptions.builder().optShards(3).optTime("0:10:00").build(), JAR, false);
        assertFalse(sub.submitted());
        assertEquals(List.of(1, 2), sub.tasks());
        String text = Files.readString(sub.script());
        assertTrue(text.contains("#SBATCH --array=1-2\n") && text.contains("#SBATCH --time=0:10:00\n"), text);
        assertTrue(text.contains("--plan " + Sweep.taskPlanFile(dir)), text);
        assertTrue(sub.message().contains("sbatch " + sub.script()), sub.message());
        assertEquals(plan, ExperimentPlan.load(Sweep.planFile(dir)));
        assertEquals(plan, ExperimentPlan.load(Sweep.taskPlanFile(dir)));

        for (int i = 1; i < 3; i++) Sweep.runShard(plan, new Shard(i, 3), dir, new FakeRunner(), "b");
        Submission none = Sweep.submit(plan, dir, SlurmOptions.builder().optShards(3).build(), JAR, false);
        assertNull(none.script());
        assertTrue(none.tasks().isEmpty());
        assertTrue(none.message().contains("nothing to submit"), none.message());
    }
}
