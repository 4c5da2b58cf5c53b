package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.cramlab.checkpoint.CheckpointException;
import org.cramlab.checkpoint.Safetensors;
import org.cramlab.checkpoint.SafetensorsWriter;
import org.cramlab.checkpoint.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What is particular to Mamba: the recurrent decoding state against transformers' cached greedy
 * decoding (logits max abs diff <= 1e-4, the golden tolerance), right padding, the chunked scan
 * against the plain recurrence (relative 1e-5), and bad configs and checkpoints.
 */
class MambaTest {

    static final float TOL = 1e-4f;

    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"mamba", "mamba_untied"})
    void cachedGreedyDecodingMatchesTransformers(String name) {
        try (CausalLM model = Models.load(Golden.dir(name)); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Golden.reference(name, m);
            long[] expected = ref.get("greedy_ids").toLongArray();
            NDArray refLogits = ref.get("greedy_logits");
            NDArray prefix = NDArrays.concat(new NDList(ref.get("memory").expandDims(0),
                    model.embed(ref.get("input_ids").get(new NDIndex(":, :4")))), 1);

            try (CausalLM.DecodeState state = model.newDecodeState(m)) {
                NDArray logits = model.forwardIncremental(prefix, state).get(new NDIndex(":, -1:, :"));
                for (int i = 0; i < expected.length; i++) {
                    float d = Golden.maxAbsDiff(logits.squeeze(1), refLogits.get(new NDIndex(":, {}, :", i)));
                    assertTrue(d <= TOL, name + " step " + i + " logits diff " + d);
                    assertEquals(expected[i], logits.get(new NDIndex("0, 0")).argMax().getLong(), "step " + i);
                    logits = model.forwardIncremental(model.embed(m.create(new long[][] {{expected[i]}})), state);
                }
                assertEquals(4 + 2 + expected.length, state.length());
            }
            int[] greedy = Generation.greedy(model, prefix, expected.length);
            assertArrayEquals(expected, java.util.Arrays.stream(greedy).asLongStream().toArray());
        }
    }

    @Test
    void incrementalCallsOfSeveralTokensEqualTheFullForward() {
        try (CausalLM model = Models.load(Golden.dir("mamba")); NDManager m = NDManager.newBaseManager()) {
            NDArray x = model.embed(Golden.reference("mamba", m).get("input_ids"));
            NDArray full = model.forward(x, null);
            NDList parts = new NDList();
            int[] cuts = {0, 3, 4, 11, 24}; // 3, 1, 7 and 13 positions per call: chunked scans continuing a state
            try (CausalLM.DecodeState state = model.newDecodeState(m)) {
                for (int i = 0; i + 1 < cuts.length; i++) {
                    parts.add(model.forwardIncremental(x.get(new NDIndex(":, {}:{}, :", cuts[i], cuts[i + 1])), state));
                }
            }
            float d = Golden.maxAbsDiff(full, NDArrays.concat(parts, 1));
            assertTrue(d <= TOL, "incremental vs full " + d);
        }
    }

    @Test
    void paddedPositionsAreMaskedAsTransformersDoes() {
        try (CausalLM model = Models.load(Golden.dir("mamba")); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Golden.reference("mamba", m);
            NDArray logits = model.forward(model.embed(ref.get("batch_input_ids")), ref.get("batch_attention_mask"));
            float d = Golden.maxAbsDiff(logits, ref.get("batch_logits")); // all positions, padded ones too
            assertTrue(d <= TOL, "batch logits incl. padded positions " + d);
        }
    }

    @Test
    void rightPaddingLeavesRealPositionsAlone() {
        try (CausalLM model = Models.load(Golden.dir("mamba")); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Golden.reference("mamba", m);
            NDArray ids = ref.get("batch_input_ids");
            NDArray mask = ref.get("batch_attention_mask");
            int real = (int) mask.get(1).sum().getLong();
            NDArray x = model.embed(ids);
            // garbage in the padded positions must not matter either
            NDArray noise = m.randomNormal(0f, 100f, x.getShape(), DataType.FLOAT32)
                    .mul(mask.toType(DataType.FLOAT32, false).neg().add(1f).expandDims(2));
            NDArray padded = model.forward(x.add(noise), mask).get(new NDIndex("1:, :{}, :", real));
            NDArray alone = model.forward(model.embed(ids.get(new NDIndex("1:, :{}", real))), null);
            float d = Golden.maxAbsDiff(padded, alone);
            assertTrue(d <= 1e-5f, "padded row vs the row alone " + d);
        }
    }

    /** The plain recurrence s_t = exp(delta_t A) s_{t-1} + delta_t B_t x_t, y_t = C_t . s_t, on the host. */
    private static float[][] sequential(float[] x, float[] delta, float[] a, float[] b, float[] c, float[] s0,
            int t, int e, int n) {
        float[] s = s0 == null ? new float[e * n] : s0.clone();
        float[] y = new float[t * e];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < e; j++) {
                double acc = 0;
                for (int k = 0; k < n; k++) {
                    float dl = delta[i * e + j];
                    s[j * n + k] = (float) Math.exp(dl * a[j * n + k]) * s[j * n + k] + dl * b[i * n + k] * x[i * e + j];
                    acc += c[i * n + k] * s[j * n + k];
                }
                y[i * e + j] = (float) acc;
            }
        }
        return new float[][] {y, s};
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 9, 10, 17, 64, 200})
    void chunkedScanEqualsThePlainRecurrence(int t) {
        int e = 6;
        int n = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(t);
            NDArray x = m.randomNormal(new Shape(1, t, e));
            // step sizes up to ~5 and |A| up to ~20: some per-step decays underflow to 0 in float32
            NDArray delta = m.randomNormal(new Shape(1, t, e)).mul(2f).getNDArrayInternal().softPlus();
            NDArray a = m.randomUniform(-3f, 3f, new Shape(e, n)).exp().neg();
            NDArray b = m.randomNormal(new Shape(1, t, n));
            NDArray c = m.randomNormal(new Shape(1, t, n));
            for (boolean withState : new boolean[] {false, true}) {
                NDArray s0 = withState ? m.randomNormal(new Shape(1, e, n)) : null;
                SelectiveScan.Result got = SelectiveScan.scan(x, delta, a, b, c, s0);
                float[][] want = sequential(x.toFloatArray(), delta.toFloatArray(), a.toFloatArray(), b.toFloatArray(),
                        c.toFloatArray(), s0 == null ? null : s0.toFloatArray(), t, e, n);
                assertEquals(new Shape(1, t, e), got.y().getShape());
                assertEquals(new Shape(1, e, n), got.state().getShape());
                assertClose(want[0], got.y().toFloatArray(), "y, T=" + t + (withState ? " with s0" : ""));
                assertClose(want[1], got.state().toFloatArray(), "state, T=" + t + (withState ? " with s0" : ""));
            }
        }
    }

    private static void assertClose(float[] want, float[] got, String what) {
        float scale = 0;
        float diff = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(want[i] - got[i]));
        }
        assertTrue(scale > 0, what);
        assertTrue(diff <= 1e-5f * scale, what + ": max diff " + diff + " of scale " + scale);
    }

    @Test
    void facts() throws IOException {
        try (CausalLM model = Models.load(Golden.dir("mamba"))) {
            assertEquals("mamba", model.info().modelType());
            assertEquals(32, model.info().hiddenSize());
            assertEquals(304, model.info().vocabSize());
            assertEquals(Integer.MAX_VALUE, model.info().maxPositions(), "no positions: any length");
            assertFalse(model.parameters().isEmpty());
        }
        // Mamba's tokenizer (GPT-NeoX's) adds no BOS: the first text token is given, never predicted
        try (TextTokenizer tok = TextTokenizer.load(Golden.dir("mamba"))) {
            assertFalse(tok.addsBos());
            int[] ids = tok.encode("The miller counted the grain.");
            assertTrue(ids.length > 2 && ids[0] != tok.bosId(), java.util.Arrays.toString(ids));
        }
    }

    // ----------------------------------------------------------------------------------------------
    // bad input

    /** A copy of the golden mamba case with config.json edited by {@code edit}. */
    private Path mambaWith(Consumer<JsonObject> edit) throws IOException {
        Path src = Golden.dir("mamba_untied");
        Path dir = Files.createTempDirectory(tmp, "mamba");
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        JsonObject cfg = JsonParser.parseString(Files.readString(src.resolve("config.json"))).getAsJsonObject();
        edit.accept(cfg);
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        return dir;
    }

    private static void assertLoadFails(Path dir, String... parts) {
        String msg = assertThrows(CheckpointException.class, () -> Models.load(dir).close()).getMessage();
        for (String p : parts) {
            assertTrue(msg.contains(p), "message should mention '" + p + "': " + msg);
        }
    }

    @Test
    void unsupportedOptionsAreNamedWithFileAndField() throws IOException {
        assertLoadFails(mambaWith(c -> c.addProperty("time_step_rank", "half")), "config.json", "time_step_rank",
                "half", "auto");
        assertLoadFails(mambaWith(c -> c.addProperty("hidden_act", "gelu")), "config.json", "hidden_act", "gelu", "silu");
        assertLoadFails(mambaWith(c -> c.addProperty("rms_norm", false)), "config.json", "rms_norm", "RMSNorm");
        assertLoadFails(mambaWith(c -> c.addProperty("expand", 0)), "config.json", "expand", "positive");
        assertLoadFails(mambaWith(c -> c.addProperty("state_size", 2.5)), "config.json", "state_size", "integer");
        assertLoadFails(mambaWith(c -> c.remove("vocab_size")), "config.json", "vocab_size");
    }

    @Test
    void shapesDisagreeingWithTheConfigAreNamed() throws IOException {
        assertLoadFails(mambaWith(c -> c.addProperty("state_size", 16)), "backbone.layers.0.mixer.x_proj.weight",
                "(21, 96)", "expected (37, 96)");
        assertLoadFails(mambaWith(c -> c.addProperty("conv_kernel", 4)), "backbone.layers.0.mixer.conv1d.weight",
                "(96, 1, 3)", "expected (96, 1, 4)");
        // use_conv_bias true asks for a tensor this checkpoint does not have
        assertLoadFails(mambaWith(c -> c.addProperty("use_conv_bias", true)), "backbone.layers.0.mixer.conv1d.bias",
                "missing");
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path dir = mambaWith(c -> {});
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> kept = new LinkedHashMap<>();
            try (Safetensors st = Safetensors.open(dir.resolve("model.safetensors"))) {
                for (String n : st.names()) {
                    if (!n.equals("backbone.layers.1.mixer.A_log")) {
                        kept.put(n, st.load(n, m));
                    }
                }
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), kept);
        }
        assertLoadFails(dir, "backbone.layers.1.mixer.A_log", "missing", "(96, 8)");
    }

    @Test
    void decodeStateOfAnotherModelIsRejected() {
        try (CausalLM mamba = Models.load(Golden.dir("mamba")); CausalLM llama = Models.load(Golden.dir("llama"));
                NDManager m = NDManager.newBaseManager();
                CausalLM.DecodeState kv = llama.newDecodeState(m)) {
            NDArray x = m.zeros(new Shape(1, 2, 32));
            assertThrows(IllegalArgumentException.class, () -> mamba.forwardIncremental(x, kv));
            assertThrows(IllegalArgumentException.class, () -> mamba.forward(m.zeros(new Shape(1, 2, 33)), null));
            assertThrows(IllegalArgumentException.class, () -> mamba.forward(x, m.ones(new Shape(1, 3))));
        }
    }
}
