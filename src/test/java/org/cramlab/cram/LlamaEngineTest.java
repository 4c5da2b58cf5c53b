package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine on the tiny golden Llama (real attention, masks, KV cache). */
class LlamaEngineTest {

    private static CausalLM model;

    @BeforeAll
    static void load() {
        model = Models.load(TorchTraceTest.golden("llama"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Right padding and the attention mask leave every row's trajectory as in a run on its own (1e-4). */
    @Test
    void batchedEqualsSequential() {
        List<CramTask> tasks = List.of(
                CramTask.ofIds(new int[] {1, 17, 99, 4, 230, 5, 61, 88, 9, 140, 33, 7}, 1),
                CramTask.ofIds(new int[] {1, 200, 3, 45, 6, 70, 8}, 2),
                CramTask.ofIds(new int[] {1, 9, 8, 7, 6, 5, 4, 3, 2, 100, 110, 120, 130, 140, 150, 160}, 3));
        CramSettings s = CramSettings.builder().optMaxSteps(6).optGreedyCheck(false).optBatchSize(3).build();
        List<CramResult> batched = new BatchedCrammer(model, s).run(tasks, RunListener.NONE);
        for (int i = 0; i < tasks.size(); i++) {
            RunRecord one = new Crammer(model, s).run(tasks.get(i)).record();
            RunRecord many = batched.get(i).record();
            assertEquals(one.metrics().originalLoss(), many.metrics().originalLoss(), 1e-4 * one.metrics().originalLoss(), "original loss " + i);
            for (int j = 0; j < one.trajectory().steps(); j++) {
                assertEquals(one.trajectory().losses().get(j), many.trajectory().losses().get(j), 1e-4 * one.trajectory().losses().get(j), "task " + i + " step " + j);
                assertEquals(one.trajectory().accuracies().get(j), many.trajectory().accuracies().get(j), 1e-6, "task " + i + " step " + j);
            }
        }
    }

    /** Per-step sub-managers: no array of the model's manager tree survives a step (Llama forward included). */
    @Test
    void memoryStaysFlat() {
        int[] counts = new int[31];
        RunListener probe = new RunListener() {
            @Override
            public void onStep(Progress p) {
                counts[p.step()] = model.manager().getManagedArrays().size();
            }
        };
        CramSettings s = CramSettings.builder().optMaxSteps(30).optLr(1e-3).optGreedyCheck(false).build();
        new BatchedCrammer(model, s).run(List.of(
                CramTask.ofIds(new int[] {1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, 1),
                CramTask.ofIds(new int[] {1, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190}, 1)), probe);
        assertTrue(counts[5] > 0);
        assertEquals(counts[5], counts[30], "managed arrays at step 5 and step 30");
    }

    /**
     * Issue 7's step-loop memory: nothing a step allocates outlives it in any DJL manager (counted
     * from the root manager, so arrays parked outside the model's tree count too), across the
     * engine's per-step scope, the gradients, AdamW's temporaries and the best-memory copies. Two
     * runs with different K and L (the padded, ragged path), counted after every update.
     */
    @Test
    void noArrayOutlivesItsStepInAnyManager() {
        NDManager root = model.manager();
        while (root.getParentManager() != null && root.getParentManager() != root) {
            root = root.getParentManager();
        }
        NDManager all = root;
        List<CramTask> tasks = List.of(
                CramTask.ofIds(new int[] {1, 17, 99, 4, 230, 5, 61, 88, 9, 140, 33, 7, 12, 13, 14, 15, 16}, 2),
                CramTask.ofIds(new int[] {1, 200, 3, 45, 6, 70, 8, 90, 10, 11}, 1));
        int steps = 40;
        int[] live = new int[steps + 1];
        RunListener probe = new RunListener() {
            @Override
            public void onUpdate(CramTask task, int step, NDArray memory) {
                if (task == tasks.get(1)) { // the last run of the step has been updated
                    live[step] = all.getManagedArrays().size();
                }
            }
        };
        // never solved, no patience: every step updates and the accuracy keeps improving for a while
        CramSettings s = CramSettings.builder().optMaxSteps(steps + 1).optLr(0.02).optPatience(Integer.MAX_VALUE)
                .optSolvedAccuracy(2.0).optGreedyCheck(false).optBatchSize(2).build();
        List<CramResult> results = new BatchedCrammer(model, s).run(tasks, probe);
        for (CramResult r : results) {
            List<Double> acc = r.record().trajectory().accuracies();
            assertTrue(acc.subList(5, steps).stream().mapToDouble(Double::doubleValue).max().orElse(0)
                    > acc.subList(0, 5).stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    "the best memory must be replaced after step 5 for the test to cover it: " + acc);
        }
        assertTrue(live[5] > 0);
        for (int step = 6; step <= steps; step++) {
            assertEquals(live[5], live[step], "live arrays after step 5 and after step " + step);
        }
    }

    /**
     * Short texts cram into 1 vector to accuracy 1.0, and a solved memory decodes greedily (KV cache)
     * to the exact text: with every earlier token right, greedy and teacher-forced argmax see the
     * same inputs. The tiny golden Llama has random weights, so lr is 0.05 (at the paper's 1e-2 it
     * does not reach 1.0 within a test's budget).
     */
    @Test
    void shortTextsSolveAndDecodeExactly() {
        List<CramTask> tasks = List.of(
                CramTask.ofIds(new int[] {1, 77, 150}, 1),
                CramTask.ofIds(new int[] {1, 5, 6}, 1),
                CramTask.ofIds(new int[] {1, 9, 8, 7}, 1));
        CramSettings s = CramSettings.builder().optMaxSteps(300).optLr(0.05).optBatchSize(3).build();
        for (CramResult res : new BatchedCrammer(model, s).run(tasks, RunListener.NONE)) {
            RunRecord r = res.record();
            assertEquals("solved", r.trajectory().stopReason(), r.trajectory().accuracies().toString());
            assertEquals(1.0, r.trajectory().accuracies().get(r.trajectory().steps() - 1), 0); // solved on the last recorded step
            assertTrue(r.metrics().originalAccuracy() < 1.0);
            assertTrue(r.metrics().greedyExactMatch(), "greedy decode of " + java.util.Arrays.toString(r.text().tokenIds()));
            assertEquals(r.text().length() - 1, r.metrics().greedyPrefixLength());
            assertEquals(1.0, r.metrics().greedyTokenAccuracy(), 0);
        }
    }
}
