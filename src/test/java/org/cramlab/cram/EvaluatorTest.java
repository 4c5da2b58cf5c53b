package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The evaluator scores a memory exactly as the engine's step recorded it, whatever the batch. */
class EvaluatorTest {
    static ToyLM model;

    @BeforeAll
    static void load() {
        model = new ToyLM(50, 16, 32, 40, 7);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void scoresMatchTheEnginesFirstStep() {
        List<CramTask> tasks = new ArrayList<>();
        List<Evaluator.Item> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int l = 4 + 3 * i, k = 1 + i % 3;
            int[] ids = new int[l];
            for (int j = 0; j < l; j++) ids[j] = (5 * i + 7 * j * j + 3) % 50;
            float[] mem = Memory.random(100 + i, k, 16, 0.5);
            tasks.add(new CramTask("t" + i, "literal", null, ids, k, mem));
            items.add(new Evaluator.Item(ids, mem, k));
        }
        // the engine records the loss and accuracy of the initial memory before its first update
        CramSettings one = CramSettings.builder().optMaxSteps(1).optGreedyCheck(false).optBatchSize(3).build();
        List<CramResult> engine = new BatchedCrammer(model, one).run(tasks, RunListener.NONE);
        for (int batch : new int[] {1, 3, 8}) {
            List<Evaluator.Score> s = new Evaluator(model, batch).score(items);
            for (int i = 0; i < 5; i++) {
                RunRecord r = engine.get(i).record();
                assertEquals(r.trajectory().losses().get(0), s.get(i).loss(), 1e-5, "loss of item " + i + ", batch " + batch);
                assertEquals(r.trajectory().accuracies().get(0), s.get(i).accuracy(), 1e-6, "accuracy of item " + i);
            }
        }
        Greedy g = new Evaluator(model, 2).greedy(items.get(0));
        assertEquals(items.get(0).tokenIds().length - 1, g.generated().length);
    }

    @Test
    void aMisShapedMemoryIsNamed() {
        CramException e = assertThrows(CramException.class,
                () -> new Evaluator(model, 2).score(List.of(new Evaluator.Item(new int[] {1, 2, 3}, new float[5], 1))));
        assertTrue(e.getMessage().contains("expected K*d = 1*16"), e.getMessage());
    }
}
