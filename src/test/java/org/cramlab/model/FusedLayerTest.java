package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.cramlab.checkpoint.Safetensors;
import org.cramlab.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused decoder layer: taken exactly where it is valid (counted module calls), the per-block paths
 * everywhere else; attention biases against the explicit path; the archive's checksum, fallback and errors.
 * Its values against transformers are GoldenModelTest's (every Llama fixture with {@link BlockPath#LAYER}).
 */
class FusedLayerTest {

    private static final long[] IDS = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};

    @Test
    void theCommittedArchiveMatchesItsChecksum() throws Exception {
        try (InputStream in = FusedLayerTest.class.getResourceAsStream(FusedLayer.ARCHIVE)) {
            assertNotNull(in, FusedLayer.ARCHIVE);
            assertEquals(FusedLayer.ARCHIVE_SHA256,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())));
        }
    }

    /** Module calls made by {@code run} on a model loaded with {@code attention} and {@code blocks}. */
    private static long callsOf(String fixture, AttentionPath attention, BlockPath blocks, Function<CausalLM, Object> run) {
        try (CausalLM model = Models.load(Golden.dir(fixture),
                LoadOptions.builder().optAttention(attention).optBlocks(blocks).build())) {
            long before = FusedLayer.calls();
            run.apply(model);
            return FusedLayer.calls() - before;
        }
    }

    private static NDArray ids(CausalLM model) {
        return model.manager().create(IDS, new Shape(1, IDS.length));
    }

    @Test
    void aPlainForwardRunsEveryLayerAsOneCall() {
        Function<CausalLM, Object> plain = m -> m.forward(m.embed(ids(m)), null);
        assertEquals(2, callsOf("llama", AttentionPath.AUTO, BlockPath.LAYER, plain), "two layers, one call each");
        assertEquals(2, callsOf("llama", AttentionPath.FUSED, BlockPath.LAYER, plain));
        assertEquals(2, callsOf("llama", AttentionPath.AUTO, BlockPath.LAYER, m -> m.hiddenStates(m.embed(ids(m)), null)));
        assertEquals(1, callsOf("llama", AttentionPath.AUTO, BlockPath.LAYER,
                m -> LayerView.truncated(m, 1).forward(m.embed(ids(m)), null)), "a truncated view runs its layers only");
        assertEquals(1, callsOf("llama", AttentionPath.AUTO, BlockPath.LAYER,
                m -> LayerView.knockout(m, 1, 2).forward(m.embed(ids(m)), null)), "layers before the knockout: fused");
        assertEquals(2, callsOf("gpt_neox_parallel", AttentionPath.AUTO, BlockPath.LAYER, plain), "GPT-NeoX, parallel");
        assertEquals(2, callsOf("gpt_neox_sequential", AttentionPath.AUTO, BlockPath.LAYER, plain), "GPT-NeoX, sequential");
        long auto = callsOf("llama", AttentionPath.AUTO, BlockPath.AUTO, plain);
        assertEquals(IDS.length >= FusedLayer.crossover(Device.cpu()) ? 2 : 0, auto, "AUTO from the cross-over");
    }

    @Test
    void everythingElseKeepsTheBlockPaths() {
        Function<CausalLM, Object> plain = m -> m.forward(m.embed(ids(m)), null);
        assertEquals(0, callsOf("llama", AttentionPath.AUTO, BlockPath.FUSED, plain));
        assertEquals(0, callsOf("llama", AttentionPath.AUTO, BlockPath.EXPLICIT, plain));
        assertEquals(0, callsOf("llama", AttentionPath.EXPLICIT, BlockPath.LAYER, plain), "explicit attention asked for");
        assertEquals(0, callsOf("olmo", AttentionPath.AUTO, BlockPath.LAYER, plain), "OLMo's norm and clip_qkv");
        assertEquals(0, callsOf("gpt2", AttentionPath.AUTO, BlockPath.LAYER, plain), "GPT-2: no fused layer");
        assertEquals(0, callsOf("gpt_neox_parallel", AttentionPath.AUTO, BlockPath.FUSED, plain), "GPT-NeoX, fused blocks");
        assertEquals(0, callsOf("llama", AttentionPath.AUTO, BlockPath.LAYER,
                m -> LayerView.knockout(m, 0, 2).forward(m.embed(ids(m)), null)), "knocked out from layer 0");
        assertEquals(0, callsOf("llama", AttentionPath.AUTO, BlockPath.LAYER, m -> {
            NDArray mask = m.manager().ones(new Shape(1, IDS.length));
            return m.forward(m.embed(ids(m)), mask);
        }), "an attention mask (padding)");
        assertEquals(0, callsOf("llama", AttentionPath.AUTO, BlockPath.LAYER, m -> {
            try (NDManager local = m.manager().newSubManager()) {
                CausalLM.DecodeState state = m.newDecodeState(local);
                m.forwardIncremental(m.embed(ids(m)), state);
                return m.forwardIncremental(m.embed(local.create(new long[] {7}, new Shape(1, 1))), state);
            }
        }), "KV-cache decoding");
        assertEquals(0, callsOf("llama", AttentionPath.AUTO, BlockPath.LAYER, m -> {
            m.setTrainable(true);
            try {
                return m.forward(m.embed(ids(m)), null);
            } finally {
                m.setTrainable(false);
            }
        }), "trainable weights");
    }

    @Test
    void aDamagedArchiveFailsClearlyWhenForcedAndFallsBackOnAuto() {
        TorchScriptModule.Archive bad = new TorchScriptModule.Archive(FusedLayer.ARCHIVE, "0".repeat(64), "fused-layer",
                "src/main/python/make_fused_layer.py");
        ModelException e = assertThrows(ModelException.class, () -> FusedLayer.forCall(BlockPath.LAYER, Device.cpu(), 64, bad));
        assertTrue(e.getMessage().contains(FusedLayer.ARCHIVE) && e.getMessage().contains("SHA-256")
                && e.getMessage().contains("make_fused_layer.py"), e.getMessage());
        assertNull(FusedLayer.forCall(BlockPath.AUTO, Device.cpu(), 1 << 20, bad), "AUTO falls back to the block paths");
        assertNull(FusedLayer.forCall(BlockPath.FUSED, Device.cpu(), 1 << 20), "FUSED: the fused blocks only");
        assertNotNull(FusedLayer.forCall(BlockPath.AUTO, Device.cpu(), 1 << 20), "AUTO takes the committed module");
        assertNotNull(FusedBlocks.forCall(BlockPath.LAYER, Device.cpu(), 1), "LAYER runs the fused blocks where the layer cannot");
        assertEquals(BlockPath.LAYER, BlockPath.parse(" Layer "));
    }

    /**
     * A Llama with q/k/v biases (o without, so the fused side fills in zeros): the fused layer against the
     * explicit ops, logits within 1e-4 and the input's gradient within 1e-4 of its largest entry.
     */
    @Test
    void attentionBiasesMatchTheExplicitPath(@TempDir Path dir) throws Exception {
        Path golden = Golden.dir("llama");
        Files.writeString(dir.resolve("config.json"),
                Files.readString(golden.resolve("config.json")).replace("\"attention_bias\": false", "\"attention_bias\": true"));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            Safetensors st = Safetensors.open(golden.resolve("model.safetensors"));
            for (String name : st.names()) {
                tensors.put(name, st.load(name, m));
            }
            m.getEngine().setRandomSeed(11);
            for (int i = 0; i < 2; i++) {
                for (String p : new String[] {"q", "k", "v"}) {
                    String w = "model.layers." + i + ".self_attn." + p + "_proj.";
                    tensors.put(w + "bias", m.randomNormal(new Shape(tensors.get(w + "weight").getShape().get(0))).mul(0.3f));
                }
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors);
            NDArray[] explicit = memoryPass(dir, BlockPath.EXPLICIT, m);
            long before = FusedLayer.calls();
            NDArray[] fused = memoryPass(dir, BlockPath.LAYER, m);
            assertEquals(2, FusedLayer.calls() - before, "the biased layers ran fused");
            float diff = Golden.maxAbsDiff(fused[0], explicit[0]);
            assertTrue(diff <= 1e-4f, "logits differ by " + diff);
            float scale = explicit[1].abs().max().getFloat();
            float gDiff = Golden.maxAbsDiff(fused[1], explicit[1]);
            assertTrue(scale > 0 && gDiff <= 1e-4f * scale, "gradients differ by " + gDiff + " of " + scale);
        }
    }

    /** Logits and the input embeddings' gradient of one forward + backward, copied into {@code m}. */
    private static NDArray[] memoryPass(Path dir, BlockPath blocks, NDManager m) {
        try (CausalLM model = Models.load(dir, LoadOptions.builder().optBlocks(blocks).build())) {
            NDArray ids = m.create(IDS, new Shape(1, IDS.length));
            NDArray x = model.embed(ids).duplicate();
            x.setRequiresGradient(true);
            NDArray logits;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                logits = model.forward(x, null);
                gc.backward(Golden.shiftedCrossEntropy(logits, ids));
            }
            NDArray[] out = {logits.duplicate(), x.getGradient().duplicate()};
            for (NDArray a : out) {
                a.attach(m);
            }
            return out;
        }
    }
}
