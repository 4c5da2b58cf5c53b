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
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every architecture against transformers 5.12 (float32, eager attention; Mamba: its pure-torch
 * sequential scan) on the golden fixtures, attention families on both attention paths (explicit and fused sdpa),
 * Llama and OLMo also with fused blocks (RMSNorm, SwiGLU MLP), Llama and GPT-NeoX with the whole layer fused.
 * Tolerances: logits max abs diff <= 1e-4; memory loss relative diff <= 1e-5;
 * memory gradient max abs diff <= 1e-4 * max|grad|; padded batch logits on real positions <= 1e-4.
 */
class GoldenModelTest {

    static final float LOGITS_TOL = 1e-4f;
    static final float LOSS_REL_TOL = 1e-5f;
    static final float GRAD_REL_TOL = 1e-4f;

    static final String[] CASES = {"llama", "llama_tied", "llama_sharded", "olmo", "gpt_neox_parallel",
        "gpt_neox_sequential", "gpt2", "gpt2_hub_names", "opt_350m_style", "opt_prenorm"};

    /** State-space families: no attention, so one path. */
    static final String[] NO_ATTENTION_CASES = {"mamba", "mamba_untied"};

    /** Families with fused blocks ({@link FusedBlocks}): their cases also run with the blocks fused. */
    static final java.util.Set<String> FUSED_BLOCK_CASES = java.util.Set.of("llama", "llama_tied", "llama_sharded", "olmo",
            "llama_long");

    /** Cases that also run with {@link BlockPath#LAYER} (OLMo: falls back to the fused blocks). */
    static final java.util.Set<String> FUSED_LAYER_CASES = java.util.Set.of("llama", "llama_tied", "llama_sharded", "olmo",
            "gpt_neox_parallel", "gpt_neox_sequential", "llama_long", "gpt_neox_long");

    /**
     * Every case on both attention paths, forced (the fixtures are short: AUTO would pick the explicit one);
     * the explicit path with explicit blocks, the fused one with fused blocks, and for families with fused blocks
     * also explicit attention with fused blocks; Llama and GPT-NeoX with AUTO attention and the fused layer
     * ({@link FusedLayer}: plain forwards, its sdpa inside; the padded batch runs the block paths; OLMo has no fused
     * layer and runs the fused blocks throughout).
     */
    static Stream<Arguments> casesAndPaths() {
        return Stream.concat(Arrays.stream(CASES).flatMap(c -> Stream.of(
                        Arguments.of(c, AttentionPath.EXPLICIT, BlockPath.EXPLICIT),
                        Arguments.of(c, AttentionPath.FUSED, FUSED_BLOCK_CASES.contains(c) ? BlockPath.FUSED : BlockPath.EXPLICIT),
                        FUSED_BLOCK_CASES.contains(c) ? Arguments.of(c, AttentionPath.EXPLICIT, BlockPath.FUSED) : null,
                        FUSED_LAYER_CASES.contains(c) ? Arguments.of(c, AttentionPath.AUTO, BlockPath.LAYER) : null))
                        .filter(java.util.Objects::nonNull),
                Arrays.stream(NO_ATTENTION_CASES).map(c -> Arguments.of(c, AttentionPath.EXPLICIT, BlockPath.EXPLICIT)));
    }

    @ParameterizedTest(name = "{0} {1} blocks {2}")
    @MethodSource("casesAndPaths")
    void matchesTransformers(String name, AttentionPath path, BlockPath blocks) {
        try (CausalLM model = Models.load(Golden.dir(name), LoadOptions.builder().optAttention(path).optBlocks(blocks).build());
                NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Golden.reference(name, m);
            assertFalse(model.parameters().isEmpty());
            for (NDArray p : model.parameters()) {
                assertFalse(p.hasGradient(), "frozen by default: " + p.getName());
            }

            // plain token forward
            NDArray ids = ref.get("input_ids");
            NDArray logits = model.forward(model.embed(ids), null);
            assertEquals(ref.get("logits").getShape(), logits.getShape());
            assertTrue(Golden.maxAbsDiff(logits, ref.get("logits")) <= LOGITS_TOL,
                    name + " logits diff " + Golden.maxAbsDiff(logits, ref.get("logits")));

            // [memory; embeddings] input: text logits, loss and gradient wrt the memory
            MemoryPass pass = MemoryPass.of(model, ref.get("memory"), ids);
            NDArray memory = pass.memory();
            NDArray loss = pass.loss();
            NDArray textLogits = pass.textLogits();
            assertTrue(Golden.maxAbsDiff(textLogits, ref.get("mem_text_logits")) <= LOGITS_TOL,
                    name + " mem logits diff " + Golden.maxAbsDiff(textLogits, ref.get("mem_text_logits")));
            float refLoss = ref.get("mem_loss").getFloat();
            float rel = Math.abs(loss.getFloat() - refLoss) / Math.abs(refLoss);
            assertTrue(rel <= LOSS_REL_TOL, name + " loss " + loss.getFloat() + " vs " + refLoss);
            NDArray grad = memory.getGradient();
            NDArray refGrad = ref.get("mem_grad");
            float scale = refGrad.abs().max().getFloat();
            assertTrue(scale > 0);
            assertTrue(Golden.maxAbsDiff(grad, refGrad) <= GRAD_REL_TOL * scale,
                    name + " grad diff " + Golden.maxAbsDiff(grad, refGrad) + " scale " + scale);
            for (NDArray p : model.parameters()) {
                assertFalse(p.hasGradient(), "no weight gradient while frozen: " + p.getName());
            }

            // right-padded batch: compare real positions only
            NDArray bIds = ref.get("batch_input_ids");
            NDArray bMask = ref.get("batch_attention_mask");
            NDArray bLogits = model.forward(model.embed(bIds), bMask);
            NDArray real = bMask.toType(DataType.FLOAT32, false).expandDims(2);
            float bDiff = bLogits.sub(ref.get("batch_logits")).abs().mul(real).max().getFloat();
            assertTrue(bDiff <= LOGITS_TOL, name + " batch diff " + bDiff);

            System.out.printf("%s %s blocks %s: logits %.2e, mem logits %.2e, loss rel %.2e, grad %.2e of max|grad|,"
                    + " batch %.2e%n", name, path, blocks, Golden.maxAbsDiff(logits, ref.get("logits")),
                    Golden.maxAbsDiff(textLogits, ref.get("mem_text_logits")), rel,
                    Golden.maxAbsDiff(grad, refGrad) / scale, bDiff);
            if (ref.containsKey("long_input_ids")) {
                NDArray longLogits = model.forward(model.embed(ref.get("long_input_ids")), null);
                long n = ref.get("long_logits_last").getShape().get(1);
                NDArray last = longLogits.get(new NDIndex(":, {}:, :", longLogits.getShape().get(1) - n));
                float d = Golden.maxAbsDiff(last, ref.get("long_logits_last"));
                System.out.printf("%s %s: long input (%d tokens) last %d logits %.2e%n", name, path,
                        longLogits.getShape().get(1), n, d);
                assertTrue(d <= LOGITS_TOL, name + " long diff " + d);
            }
        }
    }

    /**
     * 1280-token inputs (above the fused path's cross-over) against transformers' sdpa attention, on
     * every path (AUTO takes the fused one at this length): last logits of a plain forward; [memory;
     * text] logits, loss and the memory gradient; a right-padded batch at the last real positions of
     * each row. Same tolerances as the short fixtures.
     */
    @ParameterizedTest(name = "{0} {1} blocks {2}")
    @MethodSource("longCasesAndPaths")
    void matchesTransformersSdpaOnLongInputs(String name, AttentionPath path, BlockPath blocks) {
        try (CausalLM model = Models.load(Golden.dir(name), LoadOptions.builder().optAttention(path).optBlocks(blocks).build());
                NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Golden.reference(name, m);
            NDArray ids = ref.get("input_ids");
            long n = ref.get("logits_last").getShape().get(1);
            long t = ids.getShape().get(1);
            assertTrue(t >= 1024, "long fixture: " + t + " tokens");
            NDArray logits = model.forward(model.embed(ids), null).get(new NDIndex(":, {}:, :", t - n));
            float plain = Golden.maxAbsDiff(logits, ref.get("logits_last"));
            assertTrue(plain <= LOGITS_TOL, name + " " + path + " logits diff " + plain);

            MemoryPass pass = MemoryPass.of(model, ref.get("memory"), ids);
            NDArray memory = pass.memory();
            NDArray loss = pass.loss();
            NDArray textLogits = pass.textLogits();
            float mem = Golden.maxAbsDiff(textLogits.get(new NDIndex(":, {}:, :", t - n)), ref.get("mem_text_logits_last"));
            assertTrue(mem <= LOGITS_TOL, name + " " + path + " mem logits diff " + mem);
            float refLoss = ref.get("mem_loss").getFloat();
            float rel = Math.abs(loss.getFloat() - refLoss) / Math.abs(refLoss);
            assertTrue(rel <= LOSS_REL_TOL, name + " " + path + " loss " + loss.getFloat() + " vs " + refLoss);
            NDArray refGrad = ref.get("mem_grad");
            float scale = refGrad.abs().max().getFloat();
            float grad = Golden.maxAbsDiff(memory.getGradient(), refGrad);
            assertTrue(scale > 0 && grad <= GRAD_REL_TOL * scale, name + " " + path + " grad diff " + grad + " of " + scale);

            NDArray bLogits = model.forward(model.embed(ref.get("batch_input_ids")), ref.get("batch_attention_mask"));
            NDArray pos = ref.get("batch_positions");
            float batch = 0;
            for (int r = 0; r < 2; r++) {
                NDArray at = bLogits.get(r).get(pos.get(r));
                batch = Math.max(batch, Golden.maxAbsDiff(at, ref.get("batch_logits_at").get(r)));
            }
            assertTrue(batch <= LOGITS_TOL, name + " " + path + " batch diff " + batch);
            System.out.printf("%s %s blocks %s (%d tokens): logits %.2e, mem logits %.2e, loss rel %.2e, grad %.2e of"
                    + " max|grad|, batch %.2e%n", name, path, blocks, t, plain, mem, rel, grad / scale, batch);
        }
    }

    /** Every attention path; every block path too where the family has fused blocks, else explicit and layer. */
    static Stream<Arguments> longCasesAndPaths() {
        return Stream.of("llama_long", "gpt_neox_long").flatMap(c -> Stream.of(AttentionPath.values())
                .flatMap(p -> (FUSED_BLOCK_CASES.contains(c) ? Stream.of(BlockPath.values())
                        : Stream.of(BlockPath.EXPLICIT, BlockPath.LAYER))
                        .map(b -> Arguments.of(c, p, b))));
    }

    /** The fixture's memory prepended to the text: text logits and shifted loss, the memory's gradient taken. */
    private record MemoryPass(NDArray memory, NDArray textLogits, NDArray loss) {
        static MemoryPass of(CausalLM model, NDArray fixtureMemory, NDArray ids) {
            NDArray memory = fixtureMemory.duplicate();
            int k = (int) memory.getShape().get(0);
            memory.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray input = NDArrays.concat(new NDList(memory.expandDims(0), model.embed(ids)), 1);
                NDArray textLogits = model.forward(input, null).get(new NDIndex(":, {}:, :", k));
                NDArray loss = Golden.shiftedCrossEntropy(textLogits, ids);
                gc.backward(loss);
                return new MemoryPass(memory, textLogits, loss);
            }
        }
    }
}
