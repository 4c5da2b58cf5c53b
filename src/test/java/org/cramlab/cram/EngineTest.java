package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engine bookkeeping on a tiny causal toy model: batching, stopping, determinism, resume, bad input. */
class EngineTest {

    private static ToyLM model;

    @BeforeAll
    static void load() {
        model = new ToyLM(50, 16, 32, 40, 7);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static CramSettings.Builder fewSteps(int steps) {
        return CramSettings.builder().optMaxSteps(steps).optSeed(3).optGreedyCheck(false);
    }

    private static int[] ids(int length, int offset) {
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = (offset + 7 * i * i + 3 * i) % 50;
        }
        return t;
    }

    /** Rows of different L and K in one batch follow their one-at-a-time trajectories (1e-4). */
    @Test
    void batchedEqualsSequential() {
        List<CramTask> tasks = List.of(
                CramTask.ofIds(ids(5, 1), 1),
                CramTask.ofIds(ids(12, 2), 2),
                CramTask.ofIds(ids(9, 3), 3),
                CramTask.ofIds(ids(12, 4), 1),
                CramTask.ofIds(ids(7, 5), 2));
        CramSettings s = fewSteps(25).optBatchSize(3).build();
        int[] live = new int[1];
        int[] widest = new int[1];
        List<CramResult> batched = new BatchedCrammer(model, s).run(tasks, new RunListener() {
            @Override
            public void onStep(Progress p) {
                if (p.step() == 1) {
                    widest[0] = Math.max(widest[0], ++live[0]);
                }
            }

            @Override
            public void onFinished(CramResult result) {
                live[0]--;
            }
        });
        assertEquals(3, widest[0], "rows in one batched step must not exceed the batch size");
        Crammer single = new Crammer(model, s);
        for (int i = 0; i < tasks.size(); i++) {
            RunRecord one = single.run(tasks.get(i)).record();
            RunRecord many = batched.get(i).record();
            assertEquals(one.trajectory().losses().size(), many.trajectory().losses().size(), "steps of task " + i);
            for (int j = 0; j < one.trajectory().losses().size(); j++) {
                assertEquals(one.trajectory().losses().get(j), many.trajectory().losses().get(j), 1e-4 * Math.max(1, one.trajectory().losses().get(j)),
                        "task " + i + " step " + j);
                assertEquals(one.trajectory().accuracies().get(j), many.trajectory().accuracies().get(j), 1e-6, "task " + i + " step " + j);
            }
            assertEquals(one.metrics().originalLoss(), many.metrics().originalLoss(), 1e-5);
            assertEquals(one.runId(), many.runId());
        }
        // the loss falls on this toy; a broken gradient path would leave it flat
        RunRecord r = batched.get(1).record();
        assertTrue(r.trajectory().losses().get(r.trajectory().losses().size() - 1) < r.trajectory().losses().get(0) - 0.1, r.trajectory().losses().toString());
    }

    @Test
    void sameSeedSameTraceOtherSeedOtherTrace() {
        CramTask task = CramTask.ofIds(ids(10, 1), 1);
        RunRecord a = new Crammer(model, fewSteps(10).build()).run(task).record();
        RunRecord b = new Crammer(model, fewSteps(10).build()).run(task).record();
        RunRecord c = new Crammer(model, fewSteps(10).optSeed(4).build()).run(task).record();
        assertEquals(a.trajectory().losses(), b.trajectory().losses());
        assertNotEquals(a.trajectory().losses().get(0), c.trajectory().losses().get(0));
        // a task's own seed overrides the settings' seed
        RunRecord d = new Crammer(model, fewSteps(10).build()).run(task.withSeed(4)).record();
        assertEquals(c.trajectory().losses(), d.trajectory().losses());
        assertEquals(4, d.settings().seed());
    }

    /** The caller's run id travels with the task untouched: every callback sees it and the record carries it. */
    @Test
    void theCallersRunIdIsRecordedAsGiven() {
        CramTask task = CramTask.ofIds(ids(10, 1), 1);
        RunRecord derived = new Crammer(model, fewSteps(3).build()).run(task).record();
        java.util.Set<String> seen = new java.util.HashSet<>();
        RunRecord mine = new Crammer(model, fewSteps(3).optModelId("named").build()).run(task.withRunId("plan-run-7"),
                new RunListener() {
                    @Override
                    public void onStep(Progress p) {
                        seen.add(p.task().runId());
                    }
                }).record();
        assertEquals(java.util.Set.of("plan-run-7"), seen);
        assertEquals("plan-run-7", mine.runId());
        assertEquals("named", mine.settings().modelId());
        assertEquals(16, derived.runId().length());
        assertEquals(derived.trajectory().losses(), mine.trajectory().losses(), "the key changes no number");
    }

    /** Metrics in the record follow RunRecord's definitions from the traces. */
    @Test
    void recordMetricsFollowTheDefinitions() {
        RunRecord r = new Crammer(model, fewSteps(15).build()).run(CramTask.ofIds(ids(10, 1), 2)).record();
        double min = r.trajectory().losses().stream().mapToDouble(x -> x).min().orElseThrow();
        double max = r.trajectory().accuracies().stream().mapToDouble(x -> x).max().orElseThrow();
        assertEquals(min, r.metrics().bestLoss(), 0);
        assertEquals(max, r.metrics().bestAccuracy(), 0);
        assertEquals(r.metrics().originalLoss() * 10, r.metrics().originalCeNats(), 1e-9);
        assertEquals(min * 10, r.metrics().bestCeNats(), 1e-9);
        assertEquals(r.metrics().originalCeNats() - r.metrics().bestCeNats(), r.metrics().informationGainNats(), 1e-9);
        assertEquals(r.metrics().informationGainNats() / Math.log(2), r.metrics().informationGainBits(), 1e-9);
        assertEquals((max - r.metrics().originalAccuracy()) * 10, r.metrics().tokenGain(), 1e-9);
        assertEquals("max_steps", r.trajectory().stopReason());
        assertEquals(15, r.trajectory().steps());
        RunRecord back = RunRecord.fromJson(r.toJson());
        assertEquals(r.trajectory().losses(), back.trajectory().losses());
        assertArrayEquals(r.text().tokenIds(), back.text().tokenIds());
        assertEquals(r.metrics().informationGainNats(), back.metrics().informationGainNats(), 0);
        assertTrue(r.toJson().contains("\"information_gain_nats\":"), r.toJson());
    }

    @Test
    void patienceStopsAfterThatManyStepsWithoutStrictImprovement() {
        // lr so small that accuracy never moves after step 1
        RunRecord r = new Crammer(model, fewSteps(100).optLr(1e-9).optPatience(5).build())
                .run(CramTask.ofIds(ids(10, 1), 1)).record();
        assertEquals("patience", r.trajectory().stopReason());
        // train.py's counter: best starts at 0; a step counts as no improvement unless strictly better
        assertTrue(r.trajectory().accuracies().stream().distinct().count() == 1, r.trajectory().accuracies().toString());
        assertEquals(r.trajectory().accuracies().get(0) > 0 ? 6 : 5, r.trajectory().steps());
    }

    @Test
    void nanLossEndsTheRunAsDivergedWithoutThrowing() {
        float[] nan = new float[16];
        Arrays.fill(nan, Float.NaN);
        List<CramTask> tasks = List.of(CramTask.ofIds(ids(6, 1), 1).withInit(nan), CramTask.ofIds(ids(6, 2), 1));
        List<CramResult> res = new BatchedCrammer(model, fewSteps(8).build()).run(tasks, RunListener.NONE);
        assertEquals("diverged", res.get(0).record().trajectory().stopReason());
        assertEquals(1, res.get(0).record().trajectory().steps());
        assertEquals("max_steps", res.get(1).record().trajectory().stopReason());
        assertTrue(res.get(1).record().trajectory().losses().stream().allMatch(Double::isFinite));
        assertTrue(res.get(0).record().toJson().contains("NaN"));
    }

    /** Temporaries live in per-step sub-managers: the live array count is flat over 200 steps. */
    @Test
    void memoryStaysFlat() {
        int[] counts = new int[201];
        RunListener probe = new RunListener() {
            @Override
            public void onStep(Progress p) {
                counts[p.step()] = model.manager().getManagedArrays().size();
            }
        };
        new BatchedCrammer(model, fewSteps(200).optPatience(1000).build())
                .run(List.of(CramTask.ofIds(ids(8, 1), 1), CramTask.ofIds(ids(6, 2), 2)), probe);
        assertTrue(counts[10] > 0);
        assertEquals(counts[10], counts[200], "managed arrays at step 10 and step 200");
    }

    /** Saving the random init and loading it as --init reproduces the seeded run exactly. */
    @Test
    void initFromFileReproducesTheRun(@TempDir Path dir) {
        CramTask task = CramTask.ofIds(ids(10, 1), 2);
        CramSettings s = fewSteps(12).optMemoryDir(dir.resolve("memory")).build();
        CramResult first = new Crammer(model, s).run(task);
        float[] init = Memory.random(s.seed(), 2, 16, Memory.embeddingStd(model));
        Path initFile = dir.resolve("init.safetensors");
        Memory.save(initFile, init, 2, 16, Map.of());
        RunRecord again = new Crammer(model, s).run(task.withInit(Memory.load(initFile, 2, 16))).record();
        assertEquals(first.record().trajectory().losses(), again.trajectory().losses());

        // the saved best memory is the pre-update memory of the best step: restarting from it
        // scores exactly that step's loss and accuracy
        RunRecord r = first.record();
        Path saved = dir.resolve(r.memoryFile());
        assertTrue(Files.isRegularFile(saved), saved.toString());
        float[] best = Memory.load(saved, 2, 16);
        assertArrayEquals(first.bestMemory(), best);
        int bestStep = r.trajectory().accuracies().indexOf(r.metrics().bestAccuracy());
        RunRecord resumed = new Crammer(model, fewSteps(1).build()).run(task.withInit(best)).record();
        assertEquals(r.trajectory().losses().get(bestStep), resumed.trajectory().losses().get(0), 1e-6);
        assertEquals(r.trajectory().accuracies().get(bestStep), resumed.trajectory().accuracies().get(0), 0);
    }

    /** torch's embeddings.weight.std(): unbiased, over every entry; the model stays intact. */
    @Test
    void embeddingStdIsTheUnbiasedStdOfAllEntries() {
        float[] e = model.embeddingMatrix().toFloatArray();
        double mean = 0;
        for (float x : e) {
            mean += x;
        }
        mean /= e.length;
        double ss = 0;
        for (float x : e) {
            ss += (x - mean) * (x - mean);
        }
        double want = Math.sqrt(ss / (e.length - 1));
        assertEquals(want, Memory.embeddingStd(model), 1e-9 * want);
        assertEquals(want, Memory.embeddingStd(model), 1e-9 * want); // the embedding was not freed
        // init: N(0,1) * std from java.util.Random(seed), row-major
        float[] m = Memory.random(11, 2, 3, 0.5);
        java.util.Random rng = new java.util.Random(11);
        for (float x : m) {
            assertEquals((float) rng.nextGaussian() * 0.5f, x, 0f);
        }
    }

    @Test
    void badInputNamesTheValue(@TempDir Path dir) {
        Crammer c = new Crammer(model, fewSteps(1).build());
        CramException empty = assertThrows(CramException.class, () -> c.run(CramTask.ofIds(new int[0], 1)));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        CramException k0 = assertThrows(CramException.class, () -> c.run(CramTask.ofIds(ids(5, 1), 0)));
        assertTrue(k0.getMessage().contains("K must be >= 1, got 0"), k0.getMessage());
        CramException tooLong = assertThrows(CramException.class, () -> c.run(CramTask.ofIds(ids(38, 1), 3)));
        assertTrue(tooLong.getMessage().contains("3 + 38 = 41 exceeds the model's 40 positions"), tooLong.getMessage());
        CramException shape = assertThrows(CramException.class,
                () -> c.run(CramTask.ofIds(ids(5, 1), 2).withInit(new float[16])));
        assertTrue(shape.getMessage().contains("expected K*d = 2*16 = 32"), shape.getMessage());

        Path missing = dir.resolve("nope.safetensors");
        CramException unreadable = assertThrows(CramException.class, () -> Memory.load(missing, 1, 16));
        assertTrue(unreadable.getMessage().contains(missing.toString()), unreadable.getMessage());
        Path wrong = dir.resolve("wrong.safetensors");
        Memory.save(wrong, new float[48], 3, 16, Map.of());
        CramException wrongShape = assertThrows(CramException.class, () -> Memory.load(wrong, 1, 16));
        assertTrue(wrongShape.getMessage().contains("has shape [3, 16], expected [K, d] = [1, 16]"), wrongShape.getMessage());
        Path other = dir.resolve("other.safetensors");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.cramlab.checkpoint.SafetensorsWriter.write(other, Map.of("weights", m.zeros(new ai.djl.ndarray.types.Shape(1, 16))));
        }
        CramException noTensor = assertThrows(CramException.class, () -> Memory.load(other, 1, 16));
        assertTrue(noTensor.getMessage().contains("has no tensor 'memory'"), noTensor.getMessage());
        Path garbage = dir.resolve("garbage.safetensors");
        try {
            Files.writeString(garbage, "not a safetensors file");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        CramException bad = assertThrows(CramException.class, () -> Memory.load(garbage, 1, 16));
        assertTrue(bad.getMessage().contains(garbage.toString()), bad.getMessage());
    }
}
