package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.function.UnaryOperator;
import org.cramlab.checkpoint.HfConfig;

/**
 * GPT-2: learned absolute positions, pre-LayerNorm blocks, Conv1D projections whose weights are
 * stored [in, out] (so x @ W, not x @ W^T), tied output, as transformers' GPT2LMHeadModel. Reads
 * checkpoints with or without the {@code transformer.} name prefix (the Hub's gpt2 has none).
 */
final class Gpt2 extends DecoderModel {

    /** The config.json fields GPT-2 uses. */
    record Config(int vocabSize, int hidden, int inner, int layers, int heads, int maxPositions, float eps,
            boolean scaleWeights, boolean scaleByLayer, boolean tied) {

        static Config parse(HfConfig c) {
            int hidden = c.requireInt("n_embd");
            return new Config(c.requireInt("vocab_size"), hidden, c.optInt("n_inner", 4 * hidden),
                    c.requireInt("n_layer"), c.requireInt("n_head"), c.requireInt("n_positions"),
                    (float) c.optDouble("layer_norm_epsilon", 1e-5), c.optBool("scale_attn_weights", true),
                    c.optBool("scale_attn_by_inverse_layer_idx", false), c.optBool("tie_word_embeddings", true));
        }
    }

    /** One block's weights; Conv1D weights are [in, out]. */
    record Layer(NDArray ln1w, NDArray ln1b, NDArray attnW, NDArray attnB, NDArray projW, NDArray projB,
            NDArray ln2w, NDArray ln2b, NDArray fcW, NDArray fcB, NDArray outW, NDArray outB) {}

    private final Config cfg;
    private final Layer[] layers;
    private final NDArray wpe;
    private final NDArray lnfW;
    private final NDArray lnfB;
    private final NDArray head;
    private final UnaryOperator<NDArray> act;

    private Gpt2(Source src, Config cfg, NDArray wte, NDArray wpe, Layer[] layers, NDArray lnfW, NDArray lnfB,
            NDArray head) {
        super(src.info(cfg.hidden(), cfg.vocabSize(), cfg.maxPositions()), src.manager(), src.storage(),
                src.weights().parameters(), wte, cfg.layers(), src.attention(), src.blocks());
        this.cfg = cfg;
        this.layers = layers;
        this.wpe = wpe;
        this.lnfW = lnfW;
        this.lnfB = lnfB;
        this.head = head;
        this.act = Ops.activation(src.config(), "activation_function", "gelu_new");
    }

    /** Loads a gpt2 checkpoint. */
    static Gpt2 load(Source src) {
        Config c = Config.parse(src.config());
        Ops.activation(src.config(), "activation_function", "gelu_new");
        Weights w = src.weights().withPrefixOf("wte.weight", "transformer.", "");
        long d = c.hidden();
        long f = c.inner();
        NDArray wte = w.get("wte.weight", c.vocabSize(), d);
        NDArray wpe = w.get("wpe.weight", c.maxPositions(), d);
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "h." + i + ".";
            layers[i] = new Layer(
                    w.get(p + "ln_1.weight", d), w.get(p + "ln_1.bias", d),
                    w.get(p + "attn.c_attn.weight", d, 3 * d), w.get(p + "attn.c_attn.bias", 3 * d),
                    w.get(p + "attn.c_proj.weight", d, d), w.get(p + "attn.c_proj.bias", d),
                    w.get(p + "ln_2.weight", d), w.get(p + "ln_2.bias", d),
                    w.get(p + "mlp.c_fc.weight", d, f), w.get(p + "mlp.c_fc.bias", f),
                    w.get(p + "mlp.c_proj.weight", f, d), w.get(p + "mlp.c_proj.bias", d));
        }
        NDArray lnfW = w.get("ln_f.weight", d);
        NDArray lnfB = w.get("ln_f.bias", d);
        NDArray head = c.tied() ? wte : src.weights().get("lm_head.weight", c.vocabSize(), d);
        return new Gpt2(src, c, wte, wpe, layers, lnfW, lnfB, head);
    }

    /** Conv1D: x @ W + b with W stored [in, out]. */
    private static NDArray conv1d(NDArray x, NDArray w, NDArray b) {
        return x.matMul(w).add(b);
    }

    @Override
    protected NDArray run(NDArray h, Step step) {
        int t = (int) h.getShape().get(1);
        NDArray pos = h.getManager().arange(step.past(), step.past() + t, 1, DataType.INT64).reshape(1, t);
        h = h.add(Ops.lookup(wpe, pos));
        long d = cfg.hidden();
        long hd = d / cfg.heads();
        for (int i = 0; i < step.depth(); i++) {
            Layer l = layers[i];
            float scale = cfg.scaleWeights() ? (float) (1.0 / Math.sqrt(hd)) : 1f;
            if (cfg.scaleByLayer()) {
                scale /= i + 1;
            }
            try (LayerScope scope = new LayerScope(h)) {
                NDArray qkv = conv1d(Ops.layerNorm(h, l.ln1w(), l.ln1b(), cfg.eps()), l.attnW(), l.attnB());
                NDArray q = Attention.splitHeads(qkv.get(new NDIndex("..., :{}", d)), cfg.heads(), hd);
                NDArray k = Attention.splitHeads(qkv.get(new NDIndex("..., {}:{}", d, 2 * d)), cfg.heads(), hd);
                NDArray v = Attention.splitHeads(qkv.get(new NDIndex("..., {}:", 2 * d)), cfg.heads(), hd);
                NDArray[] kv = step.keysValues(i, k, v);
                h = h.add(conv1d(step.attend(i, q, kv, scale), l.projW(), l.projB()));
                NDArray x = Ops.layerNorm(h, l.ln2w(), l.ln2b(), cfg.eps());
                h = scope.keep(h.add(conv1d(act.apply(conv1d(x, l.fcW(), l.fcB())), l.outW(), l.outB())));
            }
        }
        return step.head(Ops.layerNorm(h, lnfW, lnfB, cfg.eps()), head);
    }
}
