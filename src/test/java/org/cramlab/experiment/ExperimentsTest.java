package org.cramlab.experiment;

import static org.cramlab.run.TestRecords.record;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.cramlab.cram.RunRecord;
import org.cramlab.report.Aggregates;
import org.cramlab.report.PaperNumbers;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.Profile;
import org.cramlab.run.RunSpec;

class ExperimentsTest {
    static final Profile SMOKE = Profile.smoke().withModelDirs(List.of("/models/tiny"));

    @Test
    void plansFollowTheProfileGrids() {
        ExperimentPlan len = new CapacityVsLength(SMOKE).plan();
        assertEquals(SMOKE.lengths().size() * SMOKE.textsPerSource(), len.runs().size());
        assertTrue(len.runs().stream().allMatch(r -> r.nMem() == 1 && r.modelId().equals("tiny")));

        ExperimentPlan ent = new CapacityVsEntropy(SMOKE).plan();
        List<RunSpec> random = ent.runs().stream().filter(r -> r.text().isRandom()).toList();
        assertEquals(SMOKE.randomTexts(), random.size());
        assertTrue(random.stream().allMatch(r -> r.length() >= 2 && r.length() <= SMOKE.randomMaxLength()));
        assertTrue(ent.runs().stream().map(RunSpec::runId).collect(Collectors.toSet())
                .containsAll(len.runs().stream().map(RunSpec::runId).toList()), "entropy runs include the length runs");
        assertEquals(ent.runs(), new CapacityUtilisation(SMOKE).plan().runs(), "utilisation reuses the entropy runs");
        assertEquals(ent.runs(), new CapacityVsEntropy(SMOKE).plan().runs(), "plans are deterministic");

        ExperimentPlan k = new CapacityVsMemoryVectors(SMOKE).plan();
        for (RunSpec r : k.runs()) assertEquals(0, r.length() % r.nMem(), "lengths scale with K");
        assertEquals(Set.copyOf(SMOKE.memoryVectors()), k.runs().stream().map(RunSpec::nMem).collect(Collectors.toSet()));

        ExperimentPlan g = new MemoryGeometry(SMOKE).plan();
        assertEquals(SMOKE.geometryTexts() * SMOKE.geometrySeeds(), g.runs().size());
        assertEquals(g.runs().size(), g.runs().stream().map(RunSpec::seed).distinct().count(), "no two runs share an init");
    }

    /** The Slurm notebook's plan: cut in the smoke profile, whole in the paper profile. */
    @Test
    void sweepDemoPlanIsTheSmokeSubsetOfCapacityVsLength() {
        ExperimentPlan full = new CapacityVsLength(SMOKE).plan();
        ExperimentPlan demo = new CapacityVsLength(SMOKE).sweepDemoPlan();
        assertEquals(full.name(), demo.name());
        assertFalse(demo.runs().isEmpty());
        assertTrue(demo.runs().size() < full.runs().size());
        assertTrue(demo.runs().stream().allMatch(r -> r.length() <= 16 && r.text().index() < 2), demo.runs().toString());
        assertEquals(full.runs().stream().filter(r -> r.length() <= 16 && r.text().index() < 2).toList(), demo.runs());
        Profile paper = Profile.paper().withModelDirs(List.of("/models/tiny"));
        assertEquals(new CapacityVsLength(paper).plan(), new CapacityVsLength(paper).sweepDemoPlan());
    }

    /** Notebook 06 counts solutions with the library's lossless threshold, not a literal. */
    @Test
    void solvedCountsRunsAtTheLosslessThreshold() {
        List<RunRecord> rs = List.of(record("a", "m", "book:0", 8, 1, 0.3, Aggregates.LOSSLESS, 30, 1),
                record("b", "m", "book:1", 8, 1, 0.3, 0.98, 30, 1), record("c", "m", "book:2", 8, 1, 0.3, 1.0, 30, 1));
        assertEquals(2, MemoryGeometry.solved(rs));
    }

    @Test
    void capacityTablePerModelWithMissingWhenNonePasses() {
        List<RunRecord> rs = new ArrayList<>();
        double[][] acc = {{1.0, 1.0}, {1.0, 0.99}, {0.99, 0.96}}; // lengths 8, 16, 32 -> means 1.0, 0.995, 0.975
        int[] lens = {8, 16, 32};
        for (int l = 0; l < 3; l++) {
            for (int t = 0; t < 2; t++) rs.add(record("a" + l + t, "good", "book:" + t, lens[l], 1, 0.3, acc[l][t], 30, 1));
            rs.add(record("b" + l, "bad", "book:0", lens[l], 1, 0.3, 0.5, 30, 10));
        }
        Table cap = CapacityVsLength.capacity(rs);
        assertEquals(List.of("bad", "good"), cap.stringColumn("model_id").asList());
        assertTrue(cap.intColumn("capacity_tokens").isMissing(0));
        assertEquals(16, cap.intColumn("capacity_tokens").getInt(1));
        Table acc8 = CapacityVsLength.accuracyByLength(rs);
        assertEquals(6, acc8.rowCount());
        assertEquals(0.995, acc8.where(acc8.stringColumn("model_id").isEqualTo("good").and(acc8.intColumn("length").isEqualTo(16)))
                .doubleColumn("mean_accuracy").get(0), 1e-12);
        Table both = CapacityVsLength.withPaper(cap, PaperNumbers.figure("figure1"));
        assertEquals(2 + 10 + 4, both.rowCount()); // the paper's 10 models and v2's 4 Mamba models
        assertEquals(1568, both.where(both.stringColumn("model_id").isEqualTo("Llama-3.1-8B")).intColumn("capacity_tokens").get(0));
    }

    @Test
    void table1HasOneRowPerModelAndSource() {
        List<RunRecord> rs = List.of(record("a", "m", "book:0", 8, 1, 0.3, 1.0, 30, 1),
                record("b", "m", "book:0", 16, 1, 0.3, 0.8, 60, 20), record("c", "m", "book:1", 16, 1, 0.3, 0.7, 64, 30),
                record("d", "m", "random:0", 12, 1, 0.1, 1.0, 80, 3), record("e", "m", "random:1", 20, 1, 0.1, 0.6, 130, 60));
        Table t = CapacityVsEntropy.table1(rs);
        assertEquals(2, t.rowCount());
        Table book = t.where(t.stringColumn("source").isEqualTo("book"));
        assertEquals(8, book.intColumn("max_tokens").getInt(0));
        assertEquals(2, book.intColumn("saturated_runs").getInt(0));
        assertEquals((40 + 34) / 2.0, book.doubleColumn("information_gain_mean").get(0), 1e-9);
        assertEquals(((0.8 - 0.3) * 16 + (0.7 - 0.3) * 16) / 2, book.doubleColumn("token_gain_mean").get(0), 1e-9);
        assertEquals(book.doubleColumn("information_gain_mean").get(0), book.doubleColumn("fitted_c_h").get(0), 1e-9);
        Table random = t.where(t.stringColumn("source").isEqualTo("random"));
        assertEquals(12, random.intColumn("max_tokens").getInt(0), "random: longest single decoded sample");
        assertEquals(3.0, CapacityVsEntropy.losslessCeCeiling(rs), 1e-12, "max best CE over the runs with accuracy >= 0.99");
    }

    @Test
    void memoryVectorScalingHasIdealLineFromKOne() {
        List<RunRecord> rs = new ArrayList<>();
        // K=1: capacity 8 (mean 1.0), saturated at 16 with gains 10 tokens, 50 nats
        rs.add(record("a", "m", "book:0", 8, 1, 0.3, 1.0, 30, 0));
        rs.add(record("b", "m", "book:0", 16, 1, 0.375, 1.0, 80, 30)); // solved
        rs.add(record("c", "m", "book:0", 32, 1, 0.1875, 0.5, 160, 110)); // gain (0.5-0.1875)*32 = 10, info 50
        // K=2: capacity 32, saturated at 64 with token gain (0.5-0.25)*64 = 16, info 90
        rs.add(record("d", "m", "book:0", 32, 2, 0.3, 1.0, 60, 0));
        rs.add(record("e", "m", "book:0", 64, 2, 0.25, 0.5, 160, 70));
        Table t = CapacityVsMemoryVectors.byMemoryVectors(rs);
        assertEquals(List.of(1, 2), t.intColumn("n_mem").asList());
        assertEquals(16, t.intColumn("capacity_tokens").getInt(0));
        assertEquals(32, t.intColumn("capacity_tokens").getInt(1));
        assertEquals(32.0, t.doubleColumn("ideal_capacity").get(1), 1e-12);
        assertEquals(20.0, t.doubleColumn("ideal_token_gain").get(1), 1e-9);
        assertEquals(100.0, t.doubleColumn("ideal_information_gain").get(1), 1e-9);
        assertEquals(16.0, t.doubleColumn("token_gain_mean").get(1), 1e-9);
    }

    @Test
    void utilisationMatchesPaperReferenceNumbers() {
        Table paper = CapacityUtilisation.paperReference();
        assertEquals(14, paper.rowCount());
        Table llama = paper.where(paper.stringColumn("model_id").isEqualTo("Llama-3.1-8B"));
        assertEquals(0.2833, llama.doubleColumn("utilisation_natural").get(0), 5e-5);
        // our formula reproduces the paper's theoretical capacities to rounding and its utilisation column
        for (int i = 0; i < paper.rowCount(); i++) {
            int d = paper.intColumn("hidden_size").getInt(i), v = paper.intColumn("vocab_size").getInt(i);
            assertEquals(paper.doubleColumn("theoretical_capacity").get(i), Aggregates.theoreticalCapacity(d, v), 0.5,
                    paper.stringColumn("model_id").get(i));
        }
        // synthetic records of an 8B-shaped model with the paper's mean token gains give its utilisation
        List<RunRecord> rs = List.of(gainRecord("n0", "book:0", 1000.0), gainRecord("n1", "book:1", 1188.2),
                gainRecord("r0", "random:0", 623.2));
        Table ours = CapacityUtilisation.utilisation(rs);
        assertEquals(0.2833, ours.doubleColumn("utilisation_natural").get(0), 5e-5);
        assertEquals(0.1614, ours.doubleColumn("utilisation_random").get(0), 5e-5);
    }

    private static RunRecord gainRecord(String id, String textId, double tokenGain) {
        int len = 2048;
        RunRecord r = record(id, "llama8b", textId, len, 1, 0.0, tokenGain / len, 5000, 100);
        return r.toBuilder().hiddenSize(4096).vocabSize(128256).optimiser(Map.of()).versions(Map.of()).build();
    }

    @Test
    void profilesFromEnvironment() {
        Profile p = Profile.fromEnv(Map.of("CRAMLAB_PROFILE", "paper", "CRAMLAB_MODELS", "/m/a,/m/b", "CRAMLAB_SEED", "5"),
                java.nio.file.Path.of("/default"));
        assertEquals("paper", p.name());
        assertEquals(List.of("/m/a", "/m/b"), p.modelDirs());
        assertEquals(5, p.seed());
        assertEquals(5000, p.settings().maxSteps());
        assertEquals(2000, p.settings().patience());
        assertEquals(50, p.textsPerSource());
        assertEquals(100, p.randomTexts());
        Profile capped = Profile.fromEnv(Map.of("CRAMLAB_MAX_STEPS", "40"), java.nio.file.Path.of("/d"));
        assertEquals(40, capped.settings().maxSteps());
        assertEquals(40, capped.settings().patience());
        Profile d = Profile.fromEnv(Map.of(), java.nio.file.Path.of("/default/model"));
        assertEquals("smoke", d.name());
        assertEquals(List.of("/default/model"), d.modelDirs());
        ExperimentException e = assertThrows(ExperimentException.class, () -> Profile.named("huge"));
        assertTrue(e.getMessage().contains("huge") && e.getMessage().contains("smoke"));
        assertThrows(ExperimentException.class, () -> Profile.fromEnv(Map.of("CRAMLAB_SEED", "x"), java.nio.file.Path.of("/d")));
    }
}
