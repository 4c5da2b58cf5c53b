package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Test;

/**
 * The engine on a small trained model (cramlab's embedded default model, trained on books): short
 * natural texts compress into one vector to accuracy 1.0 with the paper's optimiser settings, and the
 * memory alone decodes them greedily to the exact tokens.
 */
class DefaultModelCramTest {

    /**
     * Openings of held-out book chunks (last 10% of Moby-Dick, Emma, Sense and Sensibility; never trained on).
     * Truncated to 4 tokens (BOS + 3), within the default model's measured one-vector capacity (model card).
     */
    static final List<String> HELD_OUT = List.of(
            "let me hear thy hammer. Oh! ye three unsurrendered spires of mine",
            "Then, he said, he would endeavour to see her",
            "His heart was now open to Elinor, all its weaknesses");

    @Test
    void shortHeldOutTextsSolveInOneVectorAndDecodeExactly() {
        var dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir)) {
            List<CramTask> tasks = new ArrayList<>();
            for (int i = 0; i < HELD_OUT.size(); i++) {
                int[] ids = tok.encode(HELD_OUT.get(i), true, 4);
                tasks.add(new CramTask("held-out:" + i, "book", HELD_OUT.get(i), ids, 1, null));
            }
            // the paper's optimiser (AdamW lr 1e-2, betas 0.9/0.9, wd 0.01); fewer steps than its 5000 cap
            CramSettings s = CramSettings.builder().optMaxSteps(1000).optBatchSize(3).build();
            assertEquals(1e-2, s.optimiser().lr(), 0);
            List<CramResult> results = new BatchedCrammer(model, s).run(tasks, RunListener.NONE);
            for (int i = 0; i < tasks.size(); i++) {
                RunRecord r = results.get(i).record();
                assertEquals(4, r.text().length());
                assertTrue(r.metrics().originalAccuracy() < 1.0, "the model alone must not already know text " + i);
                assertEquals("solved", r.trajectory().stopReason(), "text " + i + ": " + r.trajectory().accuracies());
                assertEquals(1.0, r.metrics().bestAccuracy(), 0);
                assertTrue(r.metrics().informationGainNats() > 0, "text " + i + " information gain " + r.metrics().informationGainNats());
                assertTrue(r.metrics().greedyExactMatch(), "greedy decode of text " + i);
                assertEquals(r.text().length() - 1, r.metrics().greedyPrefixLength());
                assertArrayEquals(tasks.get(i).tokenIds(), r.text().tokenIds());
            }
        }
    }
}
