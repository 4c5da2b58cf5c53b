package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import java.util.function.UnaryOperator;
import org.cramlab.checkpoint.HfConfig;

/**
 * Mamba (Gu and Dao 2023), the paper's v2 models state-spaces/mamba-{130m,370m,790m,1.4b}-hf, as
 * transformers' MambaForCausalLM computes it on its pure-torch path (MambaMixer.slow_forward).
 *
 * <p>Each block, with E = expand * d inner channels and N = state_size:
 * <pre>
 *   x, z     = in_proj(RMSNorm(h))                         [B, T, E] each
 *   x        = act(causal depthwise conv over time(x))       kernel conv_kernel, one filter per channel
 *   dt, B, C = x_proj(x)                                    [B, T, R], [B, T, N], [B, T, N]
 *   delta    = softplus(dt_proj(dt))                        [B, T, E]
 *   s_t      = exp(delta_t A) s_{t-1} + delta_t B_t x_t     [B, E, N], A = -exp(A_log) [E, N]
 *   y_t      = C_t . s_t + D x_t
 *   h        = h + out_proj(y * act(z))
 * </pre>
 * then logits = lm_head(RMSNorm(h)). The scan over t is {@link SelectiveScan}. There are no
 * positions: the state carries the past, so any length fits ({@link ModelInfo#maxPositions()} is
 * {@link Integer#MAX_VALUE}) and decoding keeps, per layer, the last conv_kernel - 1 conv inputs and
 * the SSM state ({@link State}) instead of a KV cache.
 *
 * <p>Padding: transformers multiplies the mixer's x by the attention mask before and after the
 * convolution, and so does this class. The convolution and the scan are causal, so right padding
 * (what the cramming engine uses) leaves every real position as it would be without padding.
 *
 * <p>Dtype: as transformers, the residual stream stays float32 with {@code residual_in_fp32}, and
 * the scan runs in float32 whatever the weight dtype.
 */
final class Mamba extends LoadedModel {

    /** The config.json fields Mamba uses (transformers' MambaConfig and its defaults). */
    record Config(int vocabSize, int hidden, int inner, int stateSize, int convKernel, int dtRank, int layers,
            float eps, boolean useBias, boolean convBias, boolean residualFp32, boolean tied) {

        static Config parse(HfConfig c) {
            // hidden_size / num_hidden_layers in -hf checkpoints, d_model / n_layer in mamba_ssm's own
            int hidden = c.has("hidden_size") || !c.has("d_model") ? c.requireInt("hidden_size") : c.requireInt("d_model");
            int layers = c.has("num_hidden_layers") || !c.has("n_layer")
                    ? c.requireInt("num_hidden_layers") : c.requireInt("n_layer");
            int state = positive(c, "state_size", 16);
            int kernel = positive(c, "conv_kernel", 4);
            int expand = positive(c, "expand", 2);
            int rank;
            if (c.has("time_step_rank") && c.json().get("time_step_rank").isJsonPrimitive()
                    && c.json().get("time_step_rank").getAsJsonPrimitive().isString()) {
                String r = c.requireString("time_step_rank");
                if (!r.equals("auto")) {
                    throw c.unsupported("time_step_rank", "'" + r + "'", "\"auto\" or a positive integer");
                }
                rank = (hidden + 15) / 16; // transformers: math.ceil(hidden_size / 16)
            } else {
                rank = positive(c, "time_step_rank", (hidden + 15) / 16);
            }
            String act = c.optString("hidden_act", "silu");
            if (!act.equals("silu")) { // every Mamba checkpoint; the mixer's scope needs an activation without constants
                throw c.unsupported("hidden_act", act, "silu");
            }
            if (!c.optBool("rms_norm", true)) { // mamba_ssm's LayerNorm variant; transformers would ignore it
                throw c.unsupported("rms_norm", false, "true (transformers' Mamba always uses RMSNorm)");
            }
            return new Config(c.requireInt("vocab_size"), hidden, expand * hidden, state, kernel, rank, layers,
                    (float) c.optDouble("layer_norm_epsilon", 1e-5), c.optBool("use_bias", false),
                    c.optBool("use_conv_bias", true), c.optBool("residual_in_fp32", true),
                    c.optBool("tie_word_embeddings", true));
        }

        private static int positive(HfConfig c, String field, int dflt) {
            int v = c.optInt(field, dflt);
            if (v < 1) {
                throw c.unsupported(field, v, "a positive integer");
            }
            return v;
        }
    }

    /** One block's weights; biases are null unless use_bias / use_conv_bias. */
    record Layer(NDArray norm, NDArray inProj, NDArray inBias, NDArray convW, NDArray convB, NDArray xProj,
            NDArray dtW, NDArray dtB, NDArray aLog, NDArray d, NDArray outProj, NDArray outBias) {}

    private final Config cfg;
    private final Layer[] layers;
    private final NDArray normF;
    private final NDArray lmHead;
    private final UnaryOperator<NDArray> act; // silu (hidden_act)

    private Mamba(Source src, Config cfg, NDArray embed, Layer[] layers, NDArray normF, NDArray lmHead) {
        super(src.info(cfg.hidden(), cfg.vocabSize(), Integer.MAX_VALUE), src.manager(), src.storage(),
                src.weights().parameters(), embed);
        this.cfg = cfg;
        this.layers = layers;
        this.normF = normF;
        this.lmHead = lmHead;
        this.act = Ops::silu;
    }

    /** Loads a mamba checkpoint (transformers' names; mamba_ssm's {@code backbone.embedding} also read). */
    static Mamba load(Source src) {
        Config c = Config.parse(src.config());
        Weights w = src.weights().withPrefixOf("embeddings.weight", "backbone.");
        long d = c.hidden();
        long e = c.inner();
        String embName = w.has("embeddings.weight") || !w.has("embedding.weight") ? "embeddings.weight" : "embedding.weight";
        NDArray embed = w.get(embName, c.vocabSize(), d);
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "layers." + i + ".";
            String m = p + "mixer.";
            layers[i] = new Layer(
                    w.get(p + "norm.weight", d),
                    w.get(m + "in_proj.weight", 2 * e, d), c.useBias() ? w.get(m + "in_proj.bias", 2 * e) : null,
                    w.get(m + "conv1d.weight", e, 1, c.convKernel()), c.convBias() ? w.get(m + "conv1d.bias", e) : null,
                    w.get(m + "x_proj.weight", c.dtRank() + 2L * c.stateSize(), e),
                    w.get(m + "dt_proj.weight", e, c.dtRank()), w.get(m + "dt_proj.bias", e),
                    w.get(m + "A_log", e, c.stateSize()), w.get(m + "D", e),
                    w.get(m + "out_proj.weight", d, e), c.useBias() ? w.get(m + "out_proj.bias", d) : null);
        }
        NDArray normF = w.get("norm_f.weight", d);
        NDArray head = c.tied() ? embed : src.weights().get("lm_head.weight", c.vocabSize(), d);
        return new Mamba(src, c, embed, layers, normF, head);
    }

    @Override
    int layerCount() {
        return layers.length;
    }

    @Override
    NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, Restriction r) {
        r.requireNoKnockout(info());
        return run(inputsEmbeds, checkedMask(inputsEmbeds, attentionMask), null, r.layers(), true);
    }

    /** Checks a full forward's inputs; the mask as [B, T, 1] in the weight dtype, or null. */
    private NDArray checkedMask(NDArray inputsEmbeds, NDArray attentionMask) {
        int b = checkEmbeds(inputsEmbeds);
        checkMask(attentionMask, b, (int) inputsEmbeds.getShape().get(1));
        return attentionMask == null ? null : attentionMask.toType(dtype, false).expandDims(2);
    }

    @Override
    public DecodeState newDecodeState(NDManager m) {
        return new State(m, layers.length);
    }

    @Override
    NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState state, Restriction r) {
        r.requireNoKnockout(info());
        if (!(state instanceof State s)) {
            throw new IllegalArgumentException("decode state was not made by this model's newDecodeState");
        }
        int t = checkIncremental(inputsEmbeds);
        NDArray logits = run(inputsEmbeds, null, s, r.layers(), true);
        s.advance(t);
        return logits;
    }

    @Override
    public NDArray hiddenStates(NDArray inputsEmbeds, NDArray attentionMask) {
        return run(inputsEmbeds, checkedMask(inputsEmbeds, attentionMask), null, layers.length, false);
    }

    /**
     * Embeddings [B, T, d] to float32 logits [B, T, V] (or, without {@code head}, the final-norm hidden states
     * [B, T, d]) through the first {@code depth} layers; {@code mask} is [B, T, 1] or null.
     */
    private NDArray run(NDArray inputsEmbeds, NDArray mask, State state, int depth, boolean head) {
        NDArray h = inputsEmbeds.toType(cfg.residualFp32() ? DataType.FLOAT32 : dtype, false);
        for (int i = 0; i < depth; i++) {
            Layer l = layers[i];
            NDArray y = mixer(Ops.rmsNorm(h.toType(dtype, false), l.norm(), cfg.eps()), l, mask, state, i);
            h = h.add(y.toType(h.getDataType(), false));
        }
        NDArray out = Ops.rmsNorm(h.toType(dtype, false), normF, cfg.eps());
        return (head ? Ops.linear(out, lmHead, null) : out).toType(DataType.FLOAT32, false);
    }

    /**
     * One MambaMixer: [B, T, d] in the weight dtype to [B, T, d], continuing from {@code state}'s
     * layer {@code i} and updating it when decoding. Its temporaries live in a scope closed on return:
     * autograd keeps what the backward pass needs, everything else is freed at once.
     */
    private NDArray mixer(NDArray u, Layer l, NDArray mask, State state, int i) {
        NDManager caller = u.getManager();
        try (NDManager scope = caller.newSubManager()) {
            int e = cfg.inner();
            int n = cfg.stateSize();
            int r = cfg.dtRank();
            NDArray xz = Ops.linear(u, l.inProj(), l.inBias());
            xz.attach(scope); // everything computed from it lands in the scope
            NDArray x = masked(xz.get(new NDIndex("..., :{}", e)), mask);
            NDArray z = xz.get(new NDIndex("..., {}:", e));

            // causal depthwise convolution: the k-1 inputs before this call (zeros at the start), then x
            int k = cfg.convKernel();
            NDArray xt = x.transpose(0, 2, 1); // [B, E, T]
            if (k > 1) {
                NDArray past = state == null || state.conv[i] == null
                        ? scope.zeros(new Shape(xt.getShape().get(0), e, k - 1), xt.getDataType())
                        : State.copy(state.conv[i], scope);
                xt = past.concat(xt, 2);
                if (state != null) {
                    long end = xt.getShape().get(2);
                    state.conv[i] = state.keep(state.conv[i], xt.get(new NDIndex(":, :, {}:", end - (k - 1))));
                }
            }
            NDArray conv = Conv1d.conv1d(xt, l.convW(), l.convB(), new Shape(1), new Shape(0), new Shape(1), e)
                    .singletonOrThrow();
            x = masked(act.apply(conv.transpose(0, 2, 1)), mask); // [B, T, E]

            // selection: the step size and the state's input/output projections depend on x
            NDArray p = Ops.linear(x, l.xProj(), null);
            NDArray dt = p.get(new NDIndex("..., :{}", r));
            NDArray bIn = p.get(new NDIndex("..., {}:{}", r, r + n)).toType(DataType.FLOAT32, false);
            NDArray cOut = p.get(new NDIndex("..., {}:", r + n)).toType(DataType.FLOAT32, false);
            NDArray delta = Ops.linear(dt, l.dtW(), l.dtB()).getNDArrayInternal().softPlus()
                    .toType(DataType.FLOAT32, false);
            // 0 + A_log: an op called on a scope array, so A lands in the scope (not the model's manager)
            // and a trainable A_log still gets its gradient (duplicate() would cut it)
            NDArray aLog = scope.zeros(new Shape(1), l.aLog().getDataType()).add(l.aLog());
            NDArray a = aLog.toType(DataType.FLOAT32, false).exp().neg();
            NDArray s0 = state == null || state.ssm[i] == null ? null : State.copy(state.ssm[i], scope);
            SelectiveScan.Result scan = SelectiveScan.scan(x.toType(DataType.FLOAT32, false), delta, a, bIn, cOut, s0);
            if (state != null) {
                state.ssm[i] = state.keep(state.ssm[i], scan.state());
            }

            NDArray y = scan.y().toType(x.getDataType(), false).add(x.mul(l.d())).mul(act.apply(z));
            NDArray out = Ops.linear(y, l.outProj(), l.outBias());
            out.attach(caller);
            return out;
        }
    }

    private static NDArray masked(NDArray x, NDArray mask) {
        return mask == null ? x : x.mul(mask);
    }

    /**
     * What decoding carries between calls, per layer: the last conv_kernel - 1 inputs of the
     * convolution [1, E, k-1] (weight dtype) and the SSM state [1, E, N] (float32).
     */
    static final class State extends CachedState {
        private final NDArray[] conv;
        private final NDArray[] ssm;

        State(NDManager parent, int layers) {
            super(parent);
            this.conv = new NDArray[layers];
            this.ssm = new NDArray[layers];
        }

        /** A copy of a cached array in {@code scope}, so that ops on it land there, not in the state. */
        private static NDArray copy(NDArray cached, NDManager scope) {
            NDArray c = cached.duplicate();
            c.attach(scope);
            return c;
        }

        /** A copy of {@code value} (a slice of a scope array) kept by the state in place of {@code old}. */
        private NDArray keep(NDArray old, NDArray value) {
            return replace(old, value.duplicate());
        }
    }
}
