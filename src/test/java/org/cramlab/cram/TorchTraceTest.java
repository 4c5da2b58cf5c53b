package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.checkpoint.Safetensors;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.junit.jupiter.api.Test;

/**
 * The engine against a real PyTorch run of the paper's MemoryCell set-up (fixture
 * golden/adamw_trace, made by src/test/python/make_golden_fixtures.py with transformers 5.12 and
 * torch.optim.AdamW(lr 1e-2, betas (0.9, 0.9), wd 0.01, eps 1e-8) on the tiny golden Llama, K = 2,
 * T = 20 tokens): the loss and accuracy before each of 5 steps and the memory after each step.
 */
class TorchTraceTest {

    static Path golden(String name) {
        try {
            return Paths.get(TorchTraceTest.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void matchesTorchAdamWTrace() {
        try (CausalLM model = Models.load(golden("llama"));
                NDManager m = NDManager.newBaseManager();
                Safetensors ref = Safetensors.open(golden("adamw_trace").resolve("reference.safetensors"))) {
            float[] init = ref.load("memory_init", m).toFloatArray();
            long[] ids = ref.load("input_ids", m).toLongArray();
            float[] losses = ref.load("losses", m).toFloatArray();
            float[] accs = ref.load("accuracies", m).toFloatArray();
            NDArray after = ref.load("memory_after", m); // [5, K, d]
            int k = (int) after.getShape().get(1);
            int[] tokens = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                tokens[i] = (int) ids[i];
            }
            List<float[]> memories = new ArrayList<>();
            RunListener collect = new RunListener() {
                @Override
                public void onUpdate(CramTask task, int step, NDArray memory) {
                    memories.add(memory.toFloatArray());
                }
            };
            // 6 forward passes: 5 updates, each checked; the 6th only scores the 5th update
            CramSettings s = CramSettings.builder().optMaxSteps(6).optGreedyCheck(false).build();
            RunRecord r = new Crammer(model, s).run(CramTask.ofIds(tokens, k).withInit(init), collect).record();
            assertTrue(r.trajectory().steps() >= 5, "steps " + r.trajectory().steps());
            for (int step = 0; step < 5; step++) {
                // loss before each update: 1e-4 relative
                assertEquals(losses[step], r.trajectory().losses().get(step), 1e-4 * losses[step], "loss before step " + (step + 1));
                assertEquals(accs[step], r.trajectory().accuracies().get(step), 1e-5, "accuracy before step " + (step + 1));
                float[] want = after.get(step).toFloatArray();
                float[] got = memories.get(step);
                double scale = 0;
                double err = 0;
                for (int i = 0; i < want.length; i++) {
                    scale = Math.max(scale, Math.abs(want[i]));
                    err = Math.max(err, Math.abs(want[i] - got[i]));
                }
                // memory after each update: max abs error within 1e-4 of the memory's scale
                assertTrue(err <= 1e-4 * scale, "memory after step " + (step + 1) + ": max err " + err + ", scale " + scale);
            }
        }
    }
}
