package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.function.UnaryOperator;
import org.cramlab.checkpoint.HfConfig;

/**
 * OPT: learned positions offset by 2 and computed from the attention mask, post- or pre-LayerNorm
 * blocks ({@code do_layer_norm_before}), optional {@code project_in}/{@code project_out} between
 * {@code word_embed_proj_dim} and {@code hidden_size} (opt-350m), as transformers' OPTForCausalLM.
 * The model's input width (memory vectors) is {@code word_embed_proj_dim}.
 */
final class Opt extends DecoderModel {

    /** OPT's learned position table has two extra rows in front (fairseq's padding offset). */
    private static final int POSITION_OFFSET = 2;

    /** The config.json fields OPT uses. */
    record Config(int vocabSize, int hidden, int embedDim, int ffn, int layers, int heads, int maxPositions,
            boolean normBefore, boolean finalNorm, boolean bias) {

        static Config parse(HfConfig c) {
            int hidden = c.requireInt("hidden_size");
            boolean before = c.optBool("do_layer_norm_before", true);
            if (!c.optBool("layer_norm_elementwise_affine", true)) {
                throw c.unsupported("layer_norm_elementwise_affine", false, "true");
            }
            return new Config(c.requireInt("vocab_size"), hidden, c.optInt("word_embed_proj_dim", hidden),
                    c.requireInt("ffn_dim"), c.requireInt("num_hidden_layers"), c.requireInt("num_attention_heads"),
                    c.requireInt("max_position_embeddings"), before,
                    before && !c.optBool("_remove_final_layer_norm", false), c.optBool("enable_bias", true));
        }
    }

    /** One layer's weights. */
    record Layer(NDArray wq, NDArray bq, NDArray wk, NDArray bk, NDArray wv, NDArray bv, NDArray wo, NDArray bo,
            NDArray ln1w, NDArray ln1b, NDArray fc1W, NDArray fc1B, NDArray fc2W, NDArray fc2B, NDArray ln2w,
            NDArray ln2b) {}

    private static final float EPS = 1e-5f; // nn.LayerNorm's default, which OPT uses

    private final Config cfg;
    private final Layer[] layers;
    private final NDArray positions;
    private final NDArray projectIn;
    private final NDArray projectOut;
    private final NDArray finalW;
    private final NDArray finalB;
    private final NDArray head;
    private final UnaryOperator<NDArray> act;

    private Opt(Source src, Config cfg, NDArray embed, NDArray positions, NDArray projectIn, NDArray projectOut,
            Layer[] layers, NDArray finalW, NDArray finalB, NDArray head) {
        super(src.info(cfg.embedDim(), cfg.vocabSize(), cfg.maxPositions()), src.manager(), src.storage(),
                src.weights().parameters(), embed, cfg.layers(), src.attention(), src.blocks());
        this.cfg = cfg;
        this.layers = layers;
        this.positions = positions;
        this.projectIn = projectIn;
        this.projectOut = projectOut;
        this.finalW = finalW;
        this.finalB = finalB;
        this.head = head;
        this.act = Ops.activation(src.config(), "activation_function", "relu");
    }

    /** Loads an opt checkpoint. */
    static Opt load(Source src) {
        Config c = Config.parse(src.config());
        Ops.activation(src.config(), "activation_function", "relu");
        Weights w = src.weights().withPrefixOf("decoder.embed_tokens.weight", "model.", "");
        long d = c.hidden();
        long e = c.embedDim();
        NDArray embed = w.get("decoder.embed_tokens.weight", c.vocabSize(), e);
        NDArray pos = w.get("decoder.embed_positions.weight", c.maxPositions() + POSITION_OFFSET, d);
        NDArray in = e != d ? w.get("decoder.project_in.weight", d, e) : null;
        NDArray out = e != d ? w.get("decoder.project_out.weight", e, d) : null;
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "decoder.layers." + i + ".";
            layers[i] = new Layer(
                    w.get(p + "self_attn.q_proj.weight", d, d), w.opt(p + "self_attn.q_proj.bias", d),
                    w.get(p + "self_attn.k_proj.weight", d, d), w.opt(p + "self_attn.k_proj.bias", d),
                    w.get(p + "self_attn.v_proj.weight", d, d), w.opt(p + "self_attn.v_proj.bias", d),
                    w.get(p + "self_attn.out_proj.weight", d, d), w.opt(p + "self_attn.out_proj.bias", d),
                    w.get(p + "self_attn_layer_norm.weight", d), w.get(p + "self_attn_layer_norm.bias", d),
                    w.get(p + "fc1.weight", c.ffn(), d), w.opt(p + "fc1.bias", c.ffn()),
                    w.get(p + "fc2.weight", d, c.ffn()), w.opt(p + "fc2.bias", d),
                    w.get(p + "final_layer_norm.weight", d), w.get(p + "final_layer_norm.bias", d));
        }
        NDArray fw = c.finalNorm() ? w.get("decoder.final_layer_norm.weight", d) : null;
        NDArray fb = c.finalNorm() ? w.get("decoder.final_layer_norm.bias", d) : null;
        boolean tied = src.config().optBool("tie_word_embeddings", true);
        NDArray head = tied ? embed : src.weights().get("lm_head.weight", c.vocabSize(), e);
        return new Opt(src, c, embed, pos, in, out, layers, fw, fb, head);
    }

    @Override
    protected NDArray run(NDArray h, Step step) {
        int t = (int) h.getShape().get(1);
        // transformers: positions = cumsum(mask) * mask - 1 over the whole sequence, new part only, +2
        NDArray mask = step.attentionMask();
        NDArray pos = mask.cumSum(1).mul(mask).sub(1).get(new NDIndex(":, {}:", step.past())).add(POSITION_OFFSET);
        if (projectIn != null) {
            h = Ops.linear(h, projectIn, null);
        }
        h = h.add(Ops.lookup(positions, pos));
        long hd = cfg.hidden() / cfg.heads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int i = 0; i < step.depth(); i++) {
            Layer l = layers[i];
            try (LayerScope scope = new LayerScope(h)) {
                NDArray x = cfg.normBefore() ? Ops.layerNorm(h, l.ln1w(), l.ln1b(), EPS) : h;
                // OPT scales q before q k^T (the original order), so attend() gets scale 1
                NDArray q = Attention.splitHeads(Ops.mul(Ops.linear(x, l.wq(), l.bq()), scale), cfg.heads(), hd);
                NDArray k = Attention.splitHeads(Ops.linear(x, l.wk(), l.bk()), cfg.heads(), hd);
                NDArray v = Attention.splitHeads(Ops.linear(x, l.wv(), l.bv()), cfg.heads(), hd);
                NDArray[] kv = step.keysValues(i, k, v);
                h = h.add(Ops.linear(step.attend(i, q, kv, 1f), l.wo(), l.bo()));
                if (!cfg.normBefore()) {
                    h = Ops.layerNorm(h, l.ln1w(), l.ln1b(), EPS);
                }
                x = cfg.normBefore() ? Ops.layerNorm(h, l.ln2w(), l.ln2b(), EPS) : h;
                h = h.add(Ops.linear(act.apply(Ops.linear(x, l.fc1W(), l.fc1B())), l.fc2W(), l.fc2B()));
                if (!cfg.normBefore()) {
                    h = Ops.layerNorm(h, l.ln2w(), l.ln2b(), EPS);
                }
                h = scope.keep(h);
            }
        }
        if (finalW != null) {
            h = Ops.layerNorm(h, finalW, finalB, EPS);
        }
        if (projectOut != null) {
            h = Ops.linear(h, projectOut, null);
        }
        return step.head(h, head);
    }
}
