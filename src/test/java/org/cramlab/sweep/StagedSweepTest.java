package org.cramlab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.run.CapacitySearch;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TextSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Staged plans on Slurm without Slurm: the scripts, their dependency, what a resubmission submits, the status. */
class StagedSweepTest {
    private static final Launcher JAR = new Launcher("/usr/bin/java", List.of("-jar", "/shared/lib/cramlab.jar"));

    /** A warm (+ repair) plan: {@code texts} book texts at lengths 2, 4, 6, 8. */
    static ExperimentPlan plan(int texts, boolean repair) {
        List<RunSpec> runs = new ArrayList<>();
        OptimiserSettings s = OptimiserSettings.paper().withSteps(100, 100);
        for (int l : new int[] {2, 4, 6, 8}) {
            for (int t = 0; t < texts; t++) runs.add(new RunSpec("/models/m", "m", text(t), l, 1, 0, s));
        }
        return new ExperimentPlan("staged", runs).withStrategy("warm", 40, 40, 1, repair);
    }

    static TextSpec text(int i) {
        return new TextSpec("book", null, i, 0);
    }

    /** Hands out job ids 100, 101, ... and remembers each submission; {@code queued} jobs are in the queue. */
    static final class FakeCluster implements StagedSweep.Cluster {
        final List<Path> scripts = new ArrayList<>();
        final List<List<String>> options = new ArrayList<>();
        final Map<String, Map<String, String>> queued = new HashMap<>();

        @Override
        public String submit(Path script, List<String> opts) {
            scripts.add(script);
            options.add(opts);
            return String.valueOf(100 + scripts.size() - 1);
        }

        @Override
        public Map<String, String> tasks(String jobId) {
            return queued.getOrDefault(jobId, Map.of());
        }

        String script(int i) throws IOException {
            return Files.readString(scripts.get(i));
        }
    }

    static SlurmOptions gpuOptions(int shards) {
        return SlurmOptions.builder().optShards(shards).optGpusPerTask(1).optCpusPerTask(4).optTime("1:00:00")
                .addSweepArgs(List.of("--device", "gpu")).build();
    }

    static void markShard(Path dir, ExperimentPlan plan, int i, int n, int capacity) {
        List<String> ids = CapacitySearch.fromPlan(plan).shard(i, n).texts().stream().map(c -> c.text().id()).toList();
        StagedProgress.write(dir, new StagedProgress.Marker(i + "/" + n, ids, capacity, 50, "warm"));
    }

    @Test
    void repairIsOneJobThatSlurmStartsAfterEveryArrayTaskSucceeded(@TempDir Path dir) throws IOException {
        FakeCluster slurm = new FakeCluster();
        StagedSweep.Submission s = StagedSweep.submit(plan(5, true), dir, gpuOptions(2), JAR, slurm);
        assertEquals("100", s.arrayJob());
        assertEquals("101", s.finalJob());
        assertEquals(List.of(0, 1), s.tasks());
        String array = slurm.script(0);
        assertTrue(array.contains("#SBATCH --array=0-1\n"), array);
        assertTrue(array.contains("#SBATCH --gpus-per-task=1\n") && array.contains("#SBATCH --cpus-per-task=4\n"), array);
        assertTrue(array.contains("--shard \"${SLURM_ARRAY_TASK_ID}/${SHARDS}\""), array);
        assertEquals(List.of(), slurm.options.get(0), "the array waits for nothing");
        String repair = slurm.script(1);
        assertFalse(repair.contains("--array") || repair.contains("--shard"), "the repair runs the whole plan once: " + repair);
        assertTrue(repair.contains("#SBATCH --job-name=cramlab-staged-repair\n"), repair);
        assertTrue(repair.contains("#SBATCH --gpus-per-task=1\n") && repair.contains("#SBATCH --ntasks=1\n"), repair);
        assertTrue(repair.contains(" sweep --plan " + dir.resolve("slurm/plan.json") + " --out " + dir + " --device gpu"), repair);
        assertEquals(List.of("--dependency=afterok:100", "--kill-on-invalid-dep=yes"), slurm.options.get(1));
        assertTrue(s.message().contains("job 101 for the repair (starts when every task of 100 succeeded)"), s.message());
    }

    @Test
    void planWithoutRepairEndsWithASummaryJob(@TempDir Path dir) throws IOException {
        FakeCluster slurm = new FakeCluster();
        StagedSweep.submit(plan(3, false), dir, SlurmOptions.defaults(), JAR, slurm);
        assertTrue(slurm.script(0).contains("#SBATCH --array=0-2\n"), "default: one shard per text up to 16");
        assertTrue(slurm.script(1).contains("#SBATCH --job-name=cramlab-staged-summary\n"), slurm.script(1));
    }

    @Test
    void resubmissionSubmitsOnlyUnfinishedShardsThenOnlyTheRepairThenNothing(@TempDir Path dir) throws IOException {
        ExperimentPlan plan = plan(5, true);
        markShard(dir, plan, 0, 2, 4);
        FakeCluster slurm = new FakeCluster();
        StagedSweep.Submission s = StagedSweep.submit(plan, dir, gpuOptions(2), JAR, slurm);
        assertEquals(List.of(1), s.tasks());
        assertTrue(slurm.script(0).contains("#SBATCH --array=1\n"), slurm.script(0));
        assertEquals(List.of("--dependency=afterok:100", "--kill-on-invalid-dep=yes"), slurm.options.get(1));

        markShard(dir, plan, 1, 2, 6);
        FakeCluster again = new FakeCluster();
        s = StagedSweep.submit(plan, dir, gpuOptions(2), JAR, again);
        assertNull(s.arrayJob());
        assertEquals("100", s.finalJob());
        assertEquals(List.of(List.of()), again.options, "every shard done: the repair alone, without a dependency");
        assertTrue(again.script(0).contains("-repair\n"), again.script(0));

        StagedProgress.write(dir, new StagedProgress.Marker("0/1", List.of(), 6, 500, "warm+repair"));
        FakeCluster none = new FakeCluster();
        s = StagedSweep.submit(plan, dir, gpuOptions(2), JAR, none);
        assertTrue(none.scripts.isEmpty());
        assertTrue(s.message().contains("is finished") && s.message().contains("capacity 6 tokens"), s.message());
    }

    @Test
    void finishedTextsOfAnotherShardCountAreNotRunAgain(@TempDir Path dir) {
        ExperimentPlan plan = plan(4, true);
        markShard(dir, plan, 0, 2, 4); // texts 0 and 2
        StagedSweep.Submission s = StagedSweep.submit(plan, dir, SlurmOptions.builder().optShards(4).build(), JAR, new FakeCluster());
        assertEquals(List.of(1, 3), s.tasks(), "of 4 shards, 0 and 2 hold only finished texts");
    }

    @Test
    void refusesWhileTheLastSubmissionIsQueuedAndRefusesMoreShardsThanTexts(@TempDir Path dir) {
        ExperimentPlan plan = plan(3, true);
        FakeCluster slurm = new FakeCluster();
        StagedSweep.submit(plan, dir, SlurmOptions.defaults(), JAR, slurm);
        slurm.queued.put("101", Map.of("", "PENDING"));
        SweepException e = assertThrows(SweepException.class, () -> StagedSweep.submit(plan, dir, SlurmOptions.defaults(), JAR, slurm));
        assertTrue(e.getMessage().contains("jobs 101 of the last submission") && e.getMessage().contains("scancel"), e.getMessage());
        e = assertThrows(SweepException.class, () -> StagedSweep.submit(plan, dir, SlurmOptions.builder().optShards(4).build(), JAR, null));
        assertTrue(e.getMessage().contains("--array 4") && e.getMessage().contains("use at most 3 shards"), e.getMessage());
    }

    @Test
    void withoutSlurmTheScriptsAndTheDependentSubmitCommandAreShown(@TempDir Path dir) {
        StagedSweep.Submission s = StagedSweep.submit(plan(3, true), dir, SlurmOptions.defaults(), JAR, null);
        assertNull(s.arrayJob());
        assertEquals(2, s.scripts().size());
        assertTrue(s.scripts().stream().allMatch(Files::isRegularFile));
        assertTrue(s.message().contains("#SBATCH --array=0-2"), s.message());
        assertTrue(s.message().contains("jid=$(sbatch --parsable " + s.scripts().get(0) + ") && sbatch --dependency=afterok:$jid"
                + " --kill-on-invalid-dep=yes " + s.scripts().get(1)), s.message());
    }

    /** Appends stage lines of text {@code t} (key {@code key}): lengths and whether each passed. */
    static void stages(Path dir, String file, int t, String key, int[] lengths, boolean[] passed) throws IOException {
        Files.createDirectories(dir.resolve("stages"));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lengths.length; i++) {
            b.append(String.format("{\"key\":\"%s\",\"text_id\":\"%s\",\"stage\":{\"index\":%d,\"length\":%d,\"steps\":10,"
                    + "\"best_accuracy\":1.0,\"passed\":%s}}%n", key, text(t).id(), i, lengths[i], passed[i]));
        }
        Files.writeString(dir.resolve("stages").resolve(file), b.toString(), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void statusShowsEachTextsStageEachShardTheRepairAndTheCapacityOnceKnown(@TempDir Path dir) throws IOException {
        ExperimentPlan plan = plan(3, true);
        FakeCluster slurm = new FakeCluster();
        StagedSweep.submit(plan, dir, SlurmOptions.builder().optShards(3).build(), JAR, slurm); // array 100, repair 101
        stages(dir, "shard-0-of-3-slurm100.jsonl", 0, "k0", new int[] {2, 4, 6}, new boolean[] {true, true, false});
        stages(dir, "shard-1-of-3-slurm100.jsonl", 1, "k1", new int[] {2, 4}, new boolean[] {true, true});
        stages(dir, "shard-1-of-3-slurm100.jsonl", 1, "k1", new int[] {2}, new boolean[] {true}); // a duplicate line: counted once
        markShard(dir, plan, 0, 3, 4);
        try (org.cramlab.run.RunFolder f = org.cramlab.run.RunFolder.open(dir)) { // a repair's grid runs of text 2
            f.append(org.cramlab.run.TestRecords.forSpec(new RunSpec("/models/m", "m", text(2), 6, 1, 0,
                    OptimiserSettings.paper().withSteps(100, 100)), 1.0));
            f.append(org.cramlab.run.TestRecords.forSpec(new RunSpec("/models/m", "m", text(2), 8, 1, 0,
                    OptimiserSettings.paper().withSteps(100, 100)), 0.5));
        }
        Map<String, Map<String, String>> queue = Map.of("100", Map.of("1", "RUNNING"), "101", Map.of("", "PENDING"));

        StagedStatus st = StagedSweep.status(plan, dir, 0, job -> queue.getOrDefault(job, Map.of()));
        String r = st.render();
        assertTrue(r.startsWith("staged (warm+repair, K=1): 1/3 texts done, 1/3 shards done, repair PENDING"), r);
        assertTrue(r.matches("(?s).*\\n  book:0 +0/3 +3  L=6 failed +4 +0  yes\\n.*"), r);
        assertTrue(r.matches("(?s).*\\n  book:1 +1/3 +2  L=4 passed +4 +0  no\\n.*"), r);
        assertTrue(r.matches("(?s).*\\n  book:2 +2/3 +0  - +6 +2  no\\n.*"), r);
        assertTrue(r.contains("\nshard 0/3: done, 1 of 1 texts done; capacity over these texts only: 4 tokens\n"), r);
        assertTrue(r.contains("\nshard 1/3: RUNNING (slurm 100_1), 0 of 1 texts done\n"), r);
        assertTrue(r.contains("\nshard 2/3: " + StagedStatus.FAILED + " (slurm 100_2), 0 of 1 texts done\n"), r);
        assertTrue(r.contains("\nrepair: PENDING (slurm job 101, starts when every task of job 100 succeeded)\n"), r);
        assertTrue(r.endsWith("capacity: known once the repair is done\n"), r);
        assertFalse(st.complete());
        assertTrue(st.inQueue());
        Table t = st.table();
        assertEquals(List.of("text", "shard", "stages", "latest stage", "longest passed", "repair runs", "done"), t.columnNames());
        assertEquals("L=6 failed", t.stringColumn("latest stage").get(0));

        markShard(dir, plan, 1, 3, 4);
        markShard(dir, plan, 2, 3, 2);
        StagedProgress.write(dir, new StagedProgress.Marker("0/1", List.of(), 4, 321, "warm+repair"));
        st = StagedSweep.status(plan, dir, 0, job -> Map.of());
        r = st.render();
        assertTrue(st.complete());
        assertTrue(r.startsWith("staged (warm+repair, K=1): 3/3 texts done, 3/3 shards done, repair done"), r);
        assertTrue(r.contains("\nrepair: done\n"), r);
        assertTrue(r.endsWith("capacity (K=1): 4 tokens; 321 optimisation steps in total (warm+repair)\n"), r);
    }

    @Test
    void statusWithoutSubmissionTakesTheShardCountFromTheStageFiles(@TempDir Path dir) throws IOException {
        ExperimentPlan plan = plan(4, false);
        stages(dir, "shard-1-of-2-host-1.jsonl", 1, "k1", new int[] {2}, new boolean[] {true});
        StagedStatus st = StagedSweep.status(plan, dir, 0, job -> Map.of());
        assertEquals(2, st.shards().size());
        assertEquals(StagedStatus.NOT_STARTED, st.shards().get(1).state());
        assertEquals("summary", st.finalJob().name());
        assertEquals(4, StagedSweep.status(plan, dir, 4, job -> Map.of()).shards().size(), "--array 4 shows 4 shards");
    }

    @Test
    void aShardsCapacityLineSaysItIsPartial() {
        CapacitySearch.Result r = new CapacitySearch.Result("m", 1, "warm", List.of(), 4, 4, 100, 0, Double.NaN, Double.NaN,
                Double.NaN, 77);
        StagedSweep.ShardOutcome shard = new StagedSweep.ShardOutcome(new Shard(1, 3), 1, 3, r);
        assertTrue(shard.partial());
        assertEquals("shard 1/3 (1 of 3 texts): capacity over these texts only: 4 tokens; run the whole plan for the plan's"
                + " capacity", shard.partialCapacityLine());
        assertFalse(new StagedSweep.ShardOutcome(Shard.all(), 3, 3, r).partial());
    }
}
