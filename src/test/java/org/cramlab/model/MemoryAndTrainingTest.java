package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Native memory stays flat over optimisation steps; trainable mode gives every weight a gradient. */
class MemoryAndTrainingTest {

    /** One memory-optimisation step as the cramming loop does it, in its own sub-manager. */
    private static float step(CausalLM model, NDManager parent, NDArray memory, NDArray longLivedIds) {
        try (NDManager sub = parent.newSubManager()) {
            // results land in the manager of the array an op is called on: bring inputs into the step
            NDArray ids = longLivedIds.duplicate();
            ids.attach(sub);
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray mem = memory.expandDims(0);
                mem.attach(sub);
                NDArray x = NDArrays.concat(new NDList(mem, model.embed(ids)), 1);
                NDArray logits = model.forward(x, null);
                NDArray l = Golden.shiftedCrossEntropy(logits.get(new NDIndex(":, 1:, :")), ids);
                gc.backward(l);
                loss = l.getFloat();
            }
            NDArray g = memory.getGradient();
            g.attach(sub);
            memory.subi(g.mul(0.01f));
            g.subi(g); // PyTorch accumulates gradients across collectors
            return loss;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt_neox_parallel", "gpt2", "opt_350m_style", "mamba"})
    void stepsLeaveNoArraysBehind(String name) {
        try (CausalLM model = Models.load(Golden.dir(name)); NDManager m = NDManager.newBaseManager()) {
            NDArray ids = Golden.reference(name, m).get("input_ids");
            NDArray memory = m.randomNormal(new Shape(1, model.info().hiddenSize()));
            memory.setRequiresGradient(true);
            float first = step(model, m, memory, ids); // warm-up grows the RoPE tables once
            int modelArrays = model.manager().getManagedArrays().size();
            int outerArrays = m.getManagedArrays().size();
            float last = first;
            for (int i = 0; i < 20; i++) {
                last = step(model, m, memory, ids);
            }
            assertEquals(modelArrays, model.manager().getManagedArrays().size(), "model manager grew");
            assertEquals(outerArrays, m.getManagedArrays().size(), "caller's manager grew");
            assertTrue(last < first, "the steps did optimise: " + first + " -> " + last);
            for (NDArray p : model.parameters()) {
                assertFalse(p.hasGradient(), "frozen weight got a gradient: " + p.getName());
            }

            // greedy decoding frees everything too
            int[] out = Generation.greedy(model, memory.expandDims(0), 5);
            assertEquals(5, out.length);
            assertEquals(modelArrays, model.manager().getManagedArrays().size());
            // memory.expandDims(0) above is the caller's; everything else was freed
            assertEquals(outerArrays + 1, m.getManagedArrays().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_tied", "gpt_neox_sequential", "mamba_untied"})
    void trainableModeGivesEveryWeightAGradient(String name) {
        try (CausalLM model = Models.load(Golden.dir(name)); NDManager m = NDManager.newBaseManager()) {
            model.setTrainable(true);
            NDArray ids = Golden.reference(name, m).get("input_ids");
            try (NDManager sub = m.newSubManager()) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = model.forward(model.embed(ids.toType(ai.djl.ndarray.types.DataType.INT64, false)), null);
                    gc.backward(Golden.shiftedCrossEntropy(logits, ids));
                }
                for (NDArray p : model.parameters()) {
                    assertTrue(p.hasGradient(), p.getName());
                    NDArray g = p.getGradient();
                    g.attach(sub);
                    assertTrue(g.abs().sum().getFloat() > 0, "zero gradient for " + p.getName());
                }
            }
            model.setTrainable(false);
            for (NDArray p : model.parameters()) {
                assertFalse(p.hasGradient(), p.getName());
            }
        }
    }
}
