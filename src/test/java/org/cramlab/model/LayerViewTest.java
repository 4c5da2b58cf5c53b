package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Truncated models and attention knockout: views of the golden models that copy nothing. */
class LayerViewTest {

    static Path golden(String name) {
        try {
            return Paths.get(LayerViewTest.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seeded random input embeddings [1, T, d] in {@code m}. */
    private static NDArray embeds(NDManager m, CausalLM model, int t, long seed) {
        int d = model.info().hiddenSize();
        Random rng = new Random(seed);
        float[] x = new float[t * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian() * 0.1f;
        return m.create(x, new Shape(1, t, d));
    }

    /** Logits [1, T, V] of random embeddings (seeded) as a host array. */
    private static float[] logits(CausalLM model, int t) {
        try (NDManager m = model.manager().newSubManager()) {
            return model.forward(embeds(m, model, t, 3), null).toFloatArray();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt_neox_parallel", "gpt2", "opt_prenorm", "mamba"})
    void allLayersIsTheFullModelAndFewerIsNot(String family) {
        try (CausalLM model = Models.load(golden(family))) {
            int all = LayerView.layersOf(model);
            LayerView whole = LayerView.truncated(model, all);
            assertFalse(whole.isTruncated());
            assertArrayEquals(logits(model, 6), logits(whole, 6));
            LayerView first = LayerView.truncated(model, 1);
            assertTrue(first.isTruncated() || all == 1);
            if (all > 1) {
                assertFalse(java.util.Arrays.equals(logits(model, 6), logits(first, 6)), "one layer computes something else");
            }
            assertTrue(first.parameters() == model.parameters(), "a view shares the model's weights");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt_neox_sequential", "gpt2", "opt_350m_style"})
    void knockoutBeyondTheLastLayerChangesNothing(String family) {
        // explicit blocks: compared bit for bit, and the fused layer (AUTO's choice for a plain forward) rounds
        // differently from the per-op knocked-out layers (FusedLayerTest checks which layers it takes)
        try (CausalLM model = Models.load(golden(family), LoadOptions.builder().optBlocks(BlockPath.EXPLICIT).build())) {
            int all = LayerView.layersOf(model);
            assertArrayEquals(logits(model, 6), logits(LayerView.knockout(model, all, 2), 6));
            // from layer 0 on the text cannot read the memory: its logits change, the memory's own do not
            float[] full = logits(model, 6);
            float[] blind = logits(LayerView.knockout(model, 0, 2), 6);
            int v = model.info().vocabSize();
            assertArrayEquals(java.util.Arrays.copyOfRange(full, 0, 2 * v), java.util.Arrays.copyOfRange(blind, 0, 2 * v));
            assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(full, 2 * v, 6 * v),
                    java.util.Arrays.copyOfRange(blind, 2 * v, 6 * v)));
        }
    }

    @Test
    void knockoutFromLayerZeroIsTheTextAloneAfterTheMemory() {
        // with the memory hidden everywhere, text position i sees only text: the same logits as the text
        // without memory, except for the positions (here none) that the positional encoding shifts; Llama's
        // RoPE is relative, so the text's logits equal those of the text run on its own
        try (CausalLM model = Models.load(golden("llama")); NDManager m = model.manager().newSubManager()) {
            NDArray all = embeds(m, model, 6, 5);
            float[] blind = LayerView.knockout(model, 0, 2).forward(all, null).get(":, 2:, :").toFloatArray();
            float[] alone = model.forward(all.get(":, 2:, :"), null).toFloatArray();
            assertEquals(alone.length, blind.length);
            for (int i = 0; i < alone.length; i++) {
                assertEquals(alone[i], blind[i], 1e-4, "logit " + i);
            }
        }
    }

    @Test
    void knockoutOnTheFusedPathEqualsTheExplicitOne() {
        try (CausalLM explicit = Models.load(golden("llama"));
                CausalLM fused = Models.load(golden("llama"), LoadOptions.builder().optAttention(AttentionPath.FUSED).build())) {
            int all = LayerView.layersOf(fused);
            assertArrayEquals(logits(fused, 6), logits(LayerView.knockout(fused, all, 2), 6));
            float[] a = logits(LayerView.knockout(explicit, 1, 2), 6);
            float[] b = logits(LayerView.knockout(fused, 1, 2), 6);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-4, "logit " + i);
            }
            assertFalse(java.util.Arrays.equals(logits(fused, 6), b));
        }
    }

    @Test
    void incrementalDecodingSeesTheSameView() {
        try (CausalLM model = Models.load(golden("llama")); NDManager m = model.manager().newSubManager()) {
            CausalLM view = LayerView.knockout(LayerView.truncated(model, 1), 0, 1);
            NDArray all = embeds(m, model, 4, 9);
            float[] full = view.forward(all, null).toFloatArray();
            try (CausalLM.DecodeState s = view.newDecodeState(m)) {
                float[] head = view.forwardIncremental(all.get(":, :2, :"), s).toFloatArray();
                float[] tail = view.forwardIncremental(all.get(":, 2:, :"), s).toFloatArray();
                for (int i = 0; i < full.length; i++) {
                    float got = i < head.length ? head[i] : tail[i - head.length];
                    assertEquals(full[i], got, 1e-5, "logit " + i);
                }
            }
        }
    }

    @Test
    void badLayerCountsAreOneLineErrors() {
        try (CausalLM model = Models.load(golden("llama"))) {
            int all = LayerView.layersOf(model);
            String zero = assertThrows(ModelException.class, () -> LayerView.truncated(model, 0)).getMessage();
            assertTrue(zero.contains("1.." + all) && zero.contains("got 0"), zero);
            String over = assertThrows(ModelException.class, () -> LayerView.truncated(model, all + 1)).getMessage();
            assertTrue(over.contains("got " + (all + 1)), over);
            assertTrue(assertThrows(ModelException.class, () -> LayerView.knockout(model, -1, 1)).getMessage().contains("-1"));
        }
        try (CausalLM mamba = Models.load(golden("mamba"))) {
            assertTrue(assertThrows(ModelException.class, () -> LayerView.knockout(mamba, 0, 1)).getMessage()
                    .contains("no attention"));
        }
    }
}
