package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertEquals(one.originalLoss(), many.originalLoss(), 1e-4 * one.originalLoss(), "original loss " + i);
            for (int j = 0; j < one.steps(); j++) {
                assertEquals(one.losses().get(j), many.losses().get(j), 1e-4 * one.losses().get(j), "task " + i + " step " + j);
                assertEquals(one.accuracies().get(j), many.accuracies().get(j), 1e-6, "task " + i + " step " + j);
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
}
