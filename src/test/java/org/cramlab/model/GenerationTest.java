package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** KV-cache decoding against full forwards. Tolerance: incremental vs full logits max abs diff <= 1e-4. */
class GenerationTest {

    static final float TOL = 1e-4f;

    /**
     * A 5-token prefix, a 3-token chunk, then one token at a time; on both attention paths (fused: sdpa's
     * is_causal for the prefix, a bottom-right causal mask for the chunk, no mask for single tokens).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"llama, EXPLICIT", "olmo, EXPLICIT", "gpt_neox_parallel, EXPLICIT", "gpt2, EXPLICIT",
        "opt_350m_style, EXPLICIT", "mamba, EXPLICIT", "mamba_untied, EXPLICIT", "llama, FUSED", "gpt_neox_parallel, FUSED", "gpt2, FUSED", "opt_350m_style, FUSED"})
    void incrementalLogitsEqualFullForward(String name, AttentionPath path) {
        try (CausalLM model = Models.load(Golden.dir(name), LoadOptions.builder().optAttention(path).build());
                NDManager m = NDManager.newBaseManager()) {
            NDArray ids = Golden.reference(name, m).get("input_ids");
            NDArray x = model.embed(ids);
            NDArray full = model.forward(x, null);
            int t = (int) x.getShape().get(1);
            NDList parts = new NDList();
            try (CausalLM.DecodeState state = model.newDecodeState(m)) {
                parts.add(model.forwardIncremental(x.get(new NDIndex(":, :5, :")), state));
                parts.add(model.forwardIncremental(x.get(new NDIndex(":, 5:8, :")), state));
                for (int i = 8; i < t; i++) {
                    parts.add(model.forwardIncremental(x.get(new NDIndex(":, {}:{}, :", i, i + 1)), state));
                }
                assertEquals(t, state.length());
            }
            NDArray inc = NDArrays.concat(parts, 1);
            assertEquals(full.getShape(), inc.getShape());
            float d = Golden.maxAbsDiff(full, inc);
            assertTrue(d <= TOL, name + " " + path + " incremental vs full " + d);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt_neox_sequential", "opt_prenorm", "mamba"})
    void greedyEqualsStepwiseArgmaxOfFullForward(String name) {
        try (CausalLM model = Models.load(Golden.dir(name)); NDManager m = NDManager.newBaseManager()) {
            NDArray ids = Golden.reference(name, m).get("input_ids").get(new NDIndex(":, :6"));
            NDArray prefix = NDArrays.concat(new NDList(
                    m.randomNormal(0f, 1f, new Shape(1, 2, model.info().hiddenSize()), ai.djl.ndarray.types.DataType.FLOAT32),
                    model.embed(ids)), 1);
            int[] got = Generation.greedy(model, prefix, 10);
            assertEquals(10, got.length);

            NDArray seq = prefix;
            int[] expected = new int[10];
            for (int i = 0; i < 10; i++) {
                NDArray logits = model.forward(seq, null);
                expected[i] = (int) logits.get(new NDIndex("0, -1")).argMax().getLong();
                seq = NDArrays.concat(new NDList(seq, model.embed(m.create(new long[][] {{expected[i]}}))), 1);
            }
            assertArrayEquals(expected, got);

            // a stop token ends decoding and is included
            int[] stopped = Generation.greedy(model, prefix, 10, expected[2]);
            assertTrue(stopped.length <= 3 && stopped[stopped.length - 1] == expected[2]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2"})
    void greedyStopsAtMaxPositions(String name) {
        try (CausalLM model = Models.load(Golden.dir(name)); NDManager m = NDManager.newBaseManager()) {
            int max = model.info().maxPositions();
            NDArray prefix = m.randomNormal(new Shape(1, max - 3, model.info().hiddenSize()));
            int[] got = Generation.greedy(model, prefix, 50);
            assertEquals(4, got.length, "3 positions left: 3 fed tokens + 1 final prediction");
        }
    }
}
