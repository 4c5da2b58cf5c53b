package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.function.UnaryOperator;
import org.cramlab.checkpoint.HfConfig;

/**
 * GPT-NeoX (Pythia): LayerNorm, fused per-head q/k/v projection, partial rotary embedding
 * ({@code rotary_pct}), parallel or sequential residual, untied output {@code embed_out}, as
 * transformers' GPTNeoXForCausalLM.
 */
final class GptNeoX extends DecoderModel {

    /** The config.json fields GPT-NeoX uses. */
    record Config(int vocabSize, int hidden, int intermediate, int layers, int heads, int headDim,
            int maxPositions, float eps, boolean parallelResidual, boolean tied, Rotary.Spec rope) {

        static Config parse(HfConfig c) {
            int hidden = c.requireInt("hidden_size");
            int heads = c.requireInt("num_attention_heads");
            int maxPos = c.requireInt("max_position_embeddings");
            int headDim = hidden / heads;
            return new Config(c.requireInt("vocab_size"), hidden, c.requireInt("intermediate_size"),
                    c.requireInt("num_hidden_layers"), heads, headDim, maxPos,
                    (float) c.optDouble("layer_norm_eps", 1e-5), c.optBool("use_parallel_residual", true),
                    c.optBool("tie_word_embeddings", false),
                    Rotary.Spec.parse(c, headDim, "rotary_emb_base", 0.25, maxPos));
        }
    }

    /** One layer's weights (biases null when attention_bias is false). */
    record Layer(NDArray ln1w, NDArray ln1b, NDArray qkvW, NDArray qkvB, NDArray denseW, NDArray denseB,
            NDArray ln2w, NDArray ln2b, NDArray upW, NDArray upB, NDArray downW, NDArray downB) {

        /** The weights as the unnamed argument views {@link FusedLayer} takes. */
        Layer fusedArguments() {
            return new Layer(FusedBlocks.argument(ln1w), FusedBlocks.argument(ln1b), FusedBlocks.argument(qkvW),
                    FusedBlocks.argument(qkvB), FusedBlocks.argument(denseW), FusedBlocks.argument(denseB),
                    FusedBlocks.argument(ln2w), FusedBlocks.argument(ln2b), FusedBlocks.argument(upW),
                    FusedBlocks.argument(upB), FusedBlocks.argument(downW), FusedBlocks.argument(downB));
        }
    }

    private final Config cfg;
    private final Layer[] layers;
    private final NDArray finalW;
    private final NDArray finalB;
    private final NDArray head;
    private final Rotary rotary;
    private final UnaryOperator<NDArray> act;
    /** Per layer, the weights {@link FusedLayer} takes; null when this model cannot run it ({@link #hasFusedLayer}). */
    private final Layer[] fusedLayers;
    private final FusedLayer.Constants layerConstants;

    private GptNeoX(Source src, Config cfg, NDArray embed, Layer[] layers, NDArray finalW, NDArray finalB,
            NDArray head) {
        super(src.info(cfg.hidden(), cfg.vocabSize(), cfg.maxPositions()), src.manager(), src.storage(),
                src.weights().parameters(), embed, cfg.layers(), src.attention(), src.blocks());
        this.cfg = cfg;
        this.layers = layers;
        this.finalW = finalW;
        this.finalB = finalB;
        this.head = head;
        this.rotary = new Rotary(cfg.rope(), cfg.maxPositions(), src.manager());
        this.act = Ops.activation(src.config(), "hidden_act", "gelu");
        // the fused layer has exact GELU and the q/k/v and dense biases (Pythia); anything else runs op by op
        boolean fusable = src.config().optString("hidden_act", "gelu").equals("gelu") && layers.length > 0
                && layers[0].qkvB() != null && layers[0].denseB() != null;
        this.fusedLayers = fusable ? new Layer[layers.length] : null;
        for (int i = 0; fusable && i < layers.length; i++) {
            fusedLayers[i] = layers[i].fusedArguments();
        }
        this.layerConstants = !fusable ? null : new FusedLayer.Constants(Ops.owned(src.manager().create(cfg.eps())),
                Ops.owned(src.manager().create((float) (1.0 / Math.sqrt(cfg.headDim())))),
                Ops.owned(src.manager().create(new long[] {cfg.heads(), cfg.heads()})));
    }

    @Override
    protected boolean hasFusedLayer() {
        return fusedLayers != null;
    }

    /** Loads a gpt_neox checkpoint. */
    static GptNeoX load(Source src) {
        Config c = Config.parse(src.config());
        Ops.activation(src.config(), "hidden_act", "gelu"); // fail before loading on an unknown one
        Weights w = src.weights();
        long d = c.hidden();
        long f = c.intermediate();
        NDArray embed = w.get("gpt_neox.embed_in.weight", c.vocabSize(), d);
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "gpt_neox.layers." + i + ".";
            layers[i] = new Layer(
                    w.get(p + "input_layernorm.weight", d), w.get(p + "input_layernorm.bias", d),
                    w.get(p + "attention.query_key_value.weight", 3 * d, d),
                    w.opt(p + "attention.query_key_value.bias", 3 * d),
                    w.get(p + "attention.dense.weight", d, d), w.opt(p + "attention.dense.bias", d),
                    w.get(p + "post_attention_layernorm.weight", d), w.get(p + "post_attention_layernorm.bias", d),
                    w.get(p + "mlp.dense_h_to_4h.weight", f, d), w.get(p + "mlp.dense_h_to_4h.bias", f),
                    w.get(p + "mlp.dense_4h_to_h.weight", d, f), w.get(p + "mlp.dense_4h_to_h.bias", d));
        }
        NDArray fw = w.get("gpt_neox.final_layer_norm.weight", d);
        NDArray fb = w.get("gpt_neox.final_layer_norm.bias", d);
        NDArray head = c.tied() ? embed : w.get("embed_out.weight", c.vocabSize(), d);
        return new GptNeoX(src, c, embed, layers, fw, fb, head);
    }

    @Override
    protected NDArray run(NDArray h, Step step) {
        float scale = (float) (1.0 / Math.sqrt(cfg.headDim()));
        long hd = cfg.headDim();
        Rotary.Angles rope = rotary.angles(step.past(), (int) h.getShape().get(1), h.getDataType(), h.getManager());
        for (int i = 0; i < step.depth(); i++) {
            Layer l = layers[i];
            FusedLayer whole = step.fusedLayer(i);
            if (whole != null) {
                h = whole.neox(h, fusedLayers[i], rope, layerConstants, cfg.parallelResidual()); // one call, no temporaries
                continue;
            }
            try (LayerScope scope = new LayerScope(h)) {
                // qkv is laid out per head: [B, T, H, 3 * hd] -> q, k, v chunks of the last axis
                NDArray qkv = Attention.splitHeads(
                        Ops.linear(Ops.layerNorm(h, l.ln1w(), l.ln1b(), cfg.eps()), l.qkvW(), l.qkvB()),
                        cfg.heads(), 3 * hd);
                NDList qkvParts = qkv.split(3, 3); // q, k, v in one op
                NDArray q = rope.apply(qkvParts.get(0));
                NDArray k = rope.apply(qkvParts.get(1));
                NDArray v = qkvParts.get(2);
                NDArray[] kv = step.keysValues(i, k, v);
                NDArray attn = Ops.linear(step.attend(i, q, kv, scale), l.denseW(), l.denseB());
                if (cfg.parallelResidual()) {
                    h = h.add(attn).add(mlp(Ops.layerNorm(h, l.ln2w(), l.ln2b(), cfg.eps()), l));
                } else {
                    h = h.add(attn);
                    h = h.add(mlp(Ops.layerNorm(h, l.ln2w(), l.ln2b(), cfg.eps()), l));
                }
                h = scope.keep(h);
            }
        }
        return step.head(Ops.layerNorm(h, finalW, finalB, cfg.eps()), head);
    }

    private NDArray mlp(NDArray x, Layer l) {
        return Ops.linear(act.apply(Ops.linear(x, l.upW(), l.upB())), l.downW(), l.downB());
    }
}
