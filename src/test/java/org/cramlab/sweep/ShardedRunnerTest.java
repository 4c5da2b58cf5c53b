package org.cramlab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cramlab.cram.RunRecord;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.run.RecordStore;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TextResolver;
import org.cramlab.run.TextSpec;
import org.cramlab.core.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shards through the real experiment runner and engine on the tiny golden Llama (d = 64, vocab 256). */
class ShardedRunnerTest {
    private static final Path MODEL = Path.of("src/test/resources/golden/llama");

    /** Deterministic ids per text index inside the 256-token vocabulary. */
    private static final TextResolver IDS = (spec, length, tokenizer) -> {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = (17 * spec.index() + 5 * i * i + i + 3) % 256;
        return new TextResolver.Resolved("ids of " + spec.id(), ids);
    };

    private static ExperimentPlan plan() {
        OptimiserSettings s = OptimiserSettings.paper().withSteps(8, 8);
        List<RunSpec> runs = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            for (int len : new int[] {5, 9}) {
                runs.add(new RunSpec(MODEL.toString(), "golden-llama", new TextSpec("book", null, t, 0), len, 1, 4, s));
            }
        }
        return new ExperimentPlan("sharded", runs);
    }

    private static ShardExecutor executor() {
        return new RunnerExecutor(ExperimentRunner.builder().optTexts(IDS).optBatchSize(4).optParams(Map.of("test", true))
                .optProgress(new Progress.Starter((state, last) -> {})).build());
    }

    @Test
    void shardedRunEqualsOneMachineRun(@TempDir Path dir) {
        ExperimentPlan plan = plan();
        Path a = dir.resolve("a"), b = dir.resolve("b");
        Sweep.runShard(plan, Shard.all(), a, executor(), "local");
        for (int i = 0; i < 3; i++) Sweep.runShard(plan, new Shard(i, 3), b, executor(), "slurm" + i);
        List<RunRecord> ra = RecordStore.read(a).of(plan), rb = RecordStore.read(b).of(plan);
        assertEquals(6, ra.size());
        assertEquals(6, rb.size());
        for (int i = 0; i < 6; i++) {
            // Batches differ (6 runs together vs 2 per shard); each run's rows are computed on their own, so
            // the numbers agree to float32 rounding of batched matmuls (a few ulp seen): 1e-5 relative on
            // losses, as environment/slurm/test-sweep.
            List<Double> la = ra.get(i).trajectory().losses(), lb = rb.get(i).trajectory().losses();
            assertEquals(la.size(), lb.size(), ra.get(i).runId());
            for (int s = 0; s < la.size(); s++) assertEquals(la.get(s), lb.get(s), 1e-5 * Math.abs(la.get(s)), ra.get(i).runId() + " step " + s);
            assertEquals(ra.get(i).trajectory().accuracies(), rb.get(i).trajectory().accuracies());
        }
        // The runner wrote each shard's sub-plan to plan.json; the sweep put the whole plan back.
        assertEquals(plan, ExperimentPlan.load(Sweep.planFile(b)));
        ShardResult again = Sweep.runShard(plan, new Shard(1, 3), b, executor(), "slurm9");
        assertEquals(0, again.ran());
        assertTrue(again.skipped() == again.assigned());
    }
}
