package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.cramlab.checkpoint.HfConfig;

/**
 * Llama (Llama 2/3, SmolLM2, TinyLlama, Sheared-LLaMA): RMSNorm, RoPE (llama3 scaling), grouped-query
 * attention, SwiGLU MLP, tied or untied output, as transformers' LlamaForCausalLM. OLMo (v1) is the
 * same network with a non-parametric LayerNorm and optional q/k/v clipping; see {@link Olmo}.
 */
final class Llama extends DecoderModel {

    /** The config.json fields Llama uses. */
    record Config(int vocabSize, int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim,
            int maxPositions, float rmsEps, boolean tied, Rotary.Spec rope, boolean olmo, float clipQkv) {

        static Config parse(HfConfig c, boolean olmo) {
            int hidden = c.requireInt("hidden_size");
            int heads = c.requireInt("num_attention_heads");
            int kv = c.optInt("num_key_value_heads", heads);
            if (heads % kv != 0) {
                throw c.unsupported("num_key_value_heads", kv, "a divisor of num_attention_heads " + heads);
            }
            int headDim = c.optInt("head_dim", hidden / heads);
            int maxPos = c.requireInt("max_position_embeddings");
            if (c.optInt("pretraining_tp", 1) != 1) {
                throw c.unsupported("pretraining_tp", c.requireInt("pretraining_tp"), "1");
            }
            if (c.optBool("mlp_bias", false)) {
                throw c.unsupported("mlp_bias", true, "false");
            }
            String act = c.optString("hidden_act", "silu");
            if (!act.equals("silu")) {
                throw c.unsupported("hidden_act", act, "silu");
            }
            return new Config(c.requireInt("vocab_size"), hidden, c.requireInt("intermediate_size"),
                    c.requireInt("num_hidden_layers"), heads, kv, headDim, maxPos,
                    (float) c.optDouble("rms_norm_eps", 1e-6), c.optBool("tie_word_embeddings", false),
                    Rotary.Spec.parse(c, headDim, null, 1.0, maxPos), olmo,
                    olmo && c.has("clip_qkv") ? (float) c.requireDouble("clip_qkv") : Float.NaN);
        }
    }

    /** One decoder layer's weights (biases are null unless attention_bias / mlp_bias). */
    record Layer(NDArray inputNorm, NDArray wq, NDArray bq, NDArray wk, NDArray bk, NDArray wv, NDArray bv,
            NDArray wo, NDArray bo, NDArray postNorm, NDArray gate, NDArray up, NDArray down) {

        /**
         * The weights as the unnamed argument views {@link FusedBlocks} and {@link FusedLayer} take; with any
         * attention bias, the missing ones as zeros (the fused layer takes all four or none).
         */
        Layer fusedArguments() {
            boolean biased = bq != null || bk != null || bv != null || bo != null;
            return new Layer(FusedBlocks.argument(inputNorm), FusedBlocks.argument(wq), bias(bq, wq, biased),
                    FusedBlocks.argument(wk), bias(bk, wk, biased), FusedBlocks.argument(wv), bias(bv, wv, biased),
                    FusedBlocks.argument(wo), bias(bo, wo, biased), FusedBlocks.argument(postNorm),
                    FusedBlocks.argument(gate), FusedBlocks.argument(up), FusedBlocks.argument(down));
        }

        private static NDArray bias(NDArray b, NDArray weight, boolean biased) {
            if (b != null || !biased) {
                return FusedBlocks.argument(b);
            }
            return weight.getManager().zeros(new Shape(weight.getShape().get(0)), weight.getDataType());
        }
    }

    private final Config cfg;
    private final Layer[] layers;
    /** Per layer, the weights {@link FusedBlocks} takes ({@link Layer#fusedArguments}). */
    private final Layer[] fusedLayers;
    private final NDArray norm;
    private final NDArray fusedNorm;
    private final NDArray lmHead;
    private final Rotary rotary;
    /** rms_norm_eps as a 0-d float32 array for {@link FusedBlocks} (which takes arrays only). */
    private final NDArray eps;
    /** eps, the softmax scale and the head counts for {@link FusedLayer}. */
    private final FusedLayer.Constants layerConstants;

    private Llama(Source src, Config cfg, NDArray embed, Layer[] layers, NDArray norm, NDArray lmHead) {
        super(src.info(cfg.hidden(), cfg.vocabSize(), cfg.maxPositions()), src.manager(), src.storage(),
                src.weights().parameters(), embed, cfg.layers(), src.attention(), src.blocks());
        this.cfg = cfg;
        this.layers = layers;
        this.norm = norm;
        this.lmHead = lmHead;
        this.fusedLayers = new Layer[layers.length];
        for (int i = 0; i < layers.length; i++) {
            fusedLayers[i] = layers[i].fusedArguments();
        }
        this.fusedNorm = FusedBlocks.argument(norm);
        this.rotary = new Rotary(cfg.rope(), cfg.maxPositions(), src.manager());
        this.eps = Ops.owned(src.manager().create(cfg.rmsEps()));
        this.layerConstants = new FusedLayer.Constants(eps, Ops.owned(src.manager().create(scale())),
                Ops.owned(src.manager().create(new long[] {cfg.heads(), cfg.kvHeads()})));
    }

    private float scale() {
        return (float) (1.0 / Math.sqrt(cfg.headDim()));
    }

    @Override
    protected boolean hasFusedBlocks() {
        return true;
    }

    /** OLMo's LayerNorm and clip_qkv are not in the fused layer. */
    @Override
    protected boolean hasFusedLayer() {
        return !cfg.olmo();
    }

    /** Loads a llama checkpoint. */
    static Llama load(Source src) {
        return load(src, false);
    }

    /** Loads a llama or (with {@code olmo}) an OLMo checkpoint: OLMo has no norm weights. */
    static Llama load(Source src, boolean olmo) {
        Config c = Config.parse(src.config(), olmo);
        Weights w = src.weights();
        long d = c.hidden();
        long q = (long) c.heads() * c.headDim();
        long kv = (long) c.kvHeads() * c.headDim();
        NDArray embed = w.get("model.embed_tokens.weight", c.vocabSize(), d);
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(
                    olmo ? null : w.get(p + "input_layernorm.weight", d),
                    w.get(p + "self_attn.q_proj.weight", q, d), w.opt(p + "self_attn.q_proj.bias", q),
                    w.get(p + "self_attn.k_proj.weight", kv, d), w.opt(p + "self_attn.k_proj.bias", kv),
                    w.get(p + "self_attn.v_proj.weight", kv, d), w.opt(p + "self_attn.v_proj.bias", kv),
                    w.get(p + "self_attn.o_proj.weight", d, q), w.opt(p + "self_attn.o_proj.bias", d),
                    olmo ? null : w.get(p + "post_attention_layernorm.weight", d),
                    w.get(p + "mlp.gate_proj.weight", c.intermediate(), d),
                    w.get(p + "mlp.up_proj.weight", c.intermediate(), d),
                    w.get(p + "mlp.down_proj.weight", d, c.intermediate()));
        }
        NDArray norm = olmo ? null : w.get("model.norm.weight", d);
        // Tied checkpoints usually omit lm_head.weight; when present and tied, transformers ties anyway.
        NDArray head = c.tied() ? embed : w.get("lm_head.weight", c.vocabSize(), d);
        return new Llama(src, c, embed, layers, norm, head);
    }

    @Override
    protected NDArray run(NDArray h, Step step) {
        float scale = scale();
        Rotary.Angles rope = rotary.angles(step.past(), (int) h.getShape().get(1), h.getDataType(), h.getManager());
        FusedBlocks fused = step.blocks();
        for (int i = 0; i < step.depth(); i++) {
            Layer l = layers[i];
            Layer f = fusedLayers[i];
            FusedLayer whole = step.fusedLayer(i);
            if (whole != null) {
                h = whole.forward(h, f, rope, layerConstants); // no temporaries on this side: no scope needed
                continue;
            }
            try (LayerScope scope = new LayerScope(h)) {
                NDArray x = fused == null ? norm(h, l.inputNorm(), null) : norm(h, f.inputNorm(), fused);
                NDArray q = clip(Ops.linear(x, l.wq(), l.bq()));
                NDArray k = clip(Ops.linear(x, l.wk(), l.bk()));
                NDArray v = clip(Ops.linear(x, l.wv(), l.bv()));
                q = Attention.splitHeads(q, cfg.heads(), cfg.headDim());
                k = Attention.splitHeads(k, cfg.kvHeads(), cfg.headDim());
                v = Attention.splitHeads(v, cfg.kvHeads(), cfg.headDim());
                q = rope.apply(q);
                k = rope.apply(k);
                NDArray[] kv = step.keysValues(i, k, v);
                NDArray a = step.attend(i, q, kv, scale);
                h = h.add(Ops.linear(a, l.wo(), l.bo()));
                h = scope.keep(fused == null ? mlpHalf(h, l, null) : mlpHalf(h, f, fused));
            }
        }
        return step.head(fused == null ? norm(h, norm, null) : norm(h, fusedNorm, fused), lmHead);
    }

    /**
     * h + down(silu(gate n) * up n) with n the post-attention norm of h: one fused call (with {@code l}'s
     * {@link Layer#fusedArguments}), or explicit ops.
     */
    private NDArray mlpHalf(NDArray h, Layer l, FusedBlocks fused) {
        if (fused != null && !cfg.olmo()) {
            return fused.rmsNormSwiGluResidual(h, l.postNorm(), eps, l.gate(), l.up(), l.down());
        }
        NDArray x = norm(h, l.postNorm(), fused);
        if (fused != null) {
            return h.add(fused.swiGlu(x, l.gate(), l.up(), l.down()));
        }
        NDArray mlp = Ops.silu(Ops.linear(x, l.gate(), null)).mul(Ops.linear(x, l.up(), null));
        return h.add(Ops.linear(mlp, l.down(), null));
    }

    /**
     * RMSNorm for Llama (fused when {@code fused} is not null); OLMo's LayerNorm without weight or bias (eps 1e-5
     * fixed, as transformers).
     */
    private NDArray norm(NDArray h, NDArray weight, FusedBlocks fused) {
        if (cfg.olmo()) {
            return Ops.layerNormPlain(h, 1e-5f);
        }
        return fused != null ? fused.rmsNorm(h, weight, eps) : Ops.rmsNorm(h, weight, cfg.rmsEps());
    }

    /** OLMo's clip_qkv: clamp projections to [-c, c]. */
    private NDArray clip(NDArray x) {
        return Float.isNaN(cfg.clipQkv()) ? x : x.clip(-cfg.clipQkv(), cfg.clipQkv());
    }
}
