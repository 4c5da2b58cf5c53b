package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import org.cramlab.checkpoint.HfConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fresh random models from a config, trained a few steps, saved in HF layout and loaded back. */
class InitAndSaveTest {

    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama_tied", "llama", "gpt_neox_parallel", "gpt2", "opt_350m_style", "olmo", "mamba", "mamba_untied"})
    void initialiseTrainSaveLoad(String name) {
        HfConfig cfg = HfConfig.read(Golden.dir(name));
        try (NDManager m = NDManager.newBaseManager();
                CausalLM model = Models.initialize(cfg, LoadOptions.defaults(), 42);
                CausalLM golden = Models.load(Golden.dir(name))) {
            // same tensors by name and shape as the transformers checkpoint (minus optional biases)
            assertTrue(model.parameters().size() <= golden.parameters().size());
            for (NDArray p : model.parameters()) {
                NDArray g = golden.parameters().get(p.getName());
                assertEquals(g.getShape(), p.getShape(), p.getName());
            }
            NDArray ids = Golden.reference(name, m).get("input_ids");

            // the seed makes initialisation reproducible
            try (CausalLM again = Models.initialize(cfg, LoadOptions.defaults(), 42)) {
                assertTrue(again.parameters().get(0).contentEquals(model.parameters().get(0)));
            }

            model.setTrainable(true);
            float first = Float.NaN;
            float last = Float.NaN;
            for (int step = 0; step < 5; step++) {
                try (NDManager sub = m.newSubManager()) {
                    NDArray local = ids.duplicate();
                    local.attach(sub);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = Golden.shiftedCrossEntropy(model.forward(model.embed(local), null), local);
                        gc.backward(loss);
                        last = loss.getFloat();
                        first = step == 0 ? last : first;
                    }
                    for (NDArray p : model.parameters()) { // plain SGD, zeroing the accumulated gradient
                        NDArray g = p.getGradient();
                        g.attach(sub);
                        p.subi(g.mul(0.5f));
                        g.subi(g);
                    }
                }
            }
            assertTrue(last < first, name + " training did not reduce the loss: " + first + " -> " + last);
            model.setTrainable(false);

            Path dir = tmp.resolve(name);
            Models.save(model, cfg, dir, false);
            try (CausalLM back = Models.load(dir)) {
                NDArray a = model.forward(model.embed(ids), null);
                NDArray b = back.forward(back.embed(ids), null);
                assertEquals(0f, Golden.maxAbsDiff(a, b), 0f);
                assertEquals(model.info().numParameters(), back.info().numParameters());
            }
            Path dir16 = tmp.resolve(name + "-bf16");
            Models.save(model, cfg, dir16, true);
            try (CausalLM back = Models.load(dir16)) {
                NDArray a = model.forward(model.embed(ids), null);
                NDArray b = back.forward(back.embed(ids), null);
                float scale = a.abs().max().getFloat();
                assertTrue(Golden.maxAbsDiff(a, b) <= 0.05f * scale, "bf16 file: within 5% of max |logit|");
            }
        }
    }
}
