package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What every attention decoder family shares besides {@link LoadedModel}: dtype policy (float32 in
 * and out, weight dtype inside), masks, length checks and KV-cache plumbing. A family only writes
 * {@link #run}: hidden states in, logits out, reading like its transformers module.
 */
abstract class DecoderModel extends LoadedModel {

    /**
     * What one forward call needs besides the hidden states.
     *
     * @param attention how every layer attends in this call (path and mask)
     * @param past positions already in the cache (0 for a full forward)
     * @param attentionMask [B, S] 0/1 mask of real tokens (all ones when none was given)
     * @param cache the KV cache for incremental decoding, null for a full forward
     * @param depth decoder layers to run (the family's loop bound)
     * @param knockoutFrom first layer that attends with {@code knockedOut} instead
     * @param knockedOut the plan that hides the memory columns from text queries, null without knockout
     * @param blocks the fused blocks around attention for this call, null for the explicit ops
     * @param layer the whole fused decoder layer where this call may take it (a plain causal forward), else null
     * @param headless return the final hidden states (the head's input) instead of logits
     */
    record Step(Attention.Plan attention, int past, NDArray attentionMask, KvCache cache, int depth, int knockoutFrom,
            Attention.Plan knockedOut, FusedBlocks blocks, FusedLayer layer, boolean headless) {

        /** The fused layer for layer {@code i}, or null where it runs block by block (knocked-out layers). */
        FusedLayer fusedLayer(int i) {
            return i < knockoutFrom ? layer : null;
        }

        /** The family's last op: {@code hidden} [B, T, d] times the head, or {@code hidden} itself when headless. */
        NDArray head(NDArray hidden, NDArray headWeight) {
            return headless ? hidden : Ops.linear(hidden, headWeight, null);
        }

        /** Keys and values to attend over: this call's, appended to the cache when decoding. */
        NDArray[] keysValues(int layer, NDArray k, NDArray v) {
            return cache == null ? new NDArray[] {k, v} : cache.append(layer, k, v);
        }

        /** Layer {@code layer}'s softmax(q k^T * scale + mask) v over {@code kv} ({@link #keysValues}), [B, T, H * hd]. */
        NDArray attend(int layer, NDArray q, NDArray[] kv, float scale) {
            return Attention.attend(q, kv[0], kv[1], layer >= knockoutFrom ? knockedOut : attention, scale);
        }
    }

    private final int layers;
    private final AttentionPlanner attention;
    private final BlockPath blocks;

    DecoderModel(ModelInfo info, NDManager manager, DataType dtype, NDList parameters, NDArray embedding, int layers,
            AttentionPath attention, BlockPath blocks) {
        super(info, manager, dtype, parameters, embedding);
        this.layers = layers;
        this.attention = new AttentionPlanner(attention, manager, info.maxPositions());
        this.blocks = blocks;
    }

    @Override
    public AttentionPath attentionPath() {
        return attention.path();
    }

    /** Hidden states in the weight dtype [B, T, d] to logits [B, T, V] (any float dtype), or final hidden states when headless. */
    protected abstract NDArray run(NDArray h, Step step);

    @Override
    int layerCount() {
        return layers;
    }

    @Override
    NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, Restriction r) {
        return forward(inputsEmbeds, attentionMask, r, false);
    }

    @Override
    public NDArray hiddenStates(NDArray inputsEmbeds, NDArray attentionMask) {
        return forward(inputsEmbeds, attentionMask, Restriction.all(layers), true);
    }

    private NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, Restriction r, boolean headless) {
        int b = checkEmbeds(inputsEmbeds);
        int t = (int) inputsEmbeds.getShape().get(1);
        checkLength(t);
        NDManager m = inputsEmbeds.getManager();
        checkMask(attentionMask, b, t);
        NDArray keyMask = attentionMask == null ? m.ones(new Shape(b, t), DataType.INT64)
                : attentionMask.toType(DataType.INT64, false);
        Attention.Plan plan = attention.plan(m, b, t, 0, attentionMask == null ? null : keyMask);
        NDArray h = inputsEmbeds.toType(dtype, false);
        boolean causal = attentionMask == null && attention.path() != AttentionPath.EXPLICIT;
        return run(h, step(plan, 0, keyMask, null, r, m, b, t, true, causal, headless)).toType(DataType.FLOAT32, false);
    }

    @Override
    public DecodeState newDecodeState(NDManager m) {
        return new KvCache(m, layers);
    }

    @Override
    NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState state, Restriction r) {
        if (!(state instanceof KvCache cache)) {
            throw new IllegalArgumentException("decode state was not made by this model's newDecodeState");
        }
        int t = checkIncremental(inputsEmbeds);
        int past = cache.length();
        checkLength(past + t);
        NDManager m = inputsEmbeds.getManager();
        Attention.Plan plan = attention.plan(m, 1, t, past, null);
        NDArray keyMask = m.ones(new Shape(1, past + t), DataType.INT64);
        // explicit blocks: the KV-cache decode computes the tables .cram containers are coded with (bits), which
        // must not change with the fused blocks' rounding
        NDArray logits = run(inputsEmbeds.toType(dtype, false), step(plan, past, keyMask, cache, r, m, 1, t, false, false, false));
        cache.advance(t);
        return logits.toType(DataType.FLOAT32, false);
    }

    /**
     * The call's step; with a knockout, the explicit plan that hides the memory in the knocked-out layers;
     * with {@code fusable}, the fused blocks when the path and the call's B * T positions take them (never for
     * trainable weights: the module gets views of them that carry no gradient, see {@link FusedBlocks#argument});
     * with {@code causal} too (no cache, no padding, attention not forced explicit), the fused layer likewise.
     */
    private Step step(Attention.Plan plan, int past, NDArray keyMask, KvCache cache, Restriction r, NDManager m,
            int b, int t, boolean fusable, boolean causal, boolean headless) {
        Attention.Plan knocked = !r.knocksOut() ? null
                : Attention.Plan.explicit(Attention.memoryHiddenMask(m, b, t, past, keyMask, r.memoryPositions()));
        boolean fuse = fusable && !trainable();
        FusedLayer layer = fuse && causal && hasFusedLayer() ? FusedLayer.forCall(blocks, m.getDevice(), b * t) : null;
        return new Step(plan, past, keyMask, cache, r.layers(), r.knocksOut() ? r.knockoutFrom() : Integer.MAX_VALUE, knocked,
                fuse && hasFusedBlocks() ? FusedBlocks.forCall(blocks, m.getDevice(), b * t) : null, layer, headless);
    }

    /** Whether this family runs {@link FusedBlocks} when its {@link BlockPath} takes them. */
    protected boolean hasFusedBlocks() {
        return false;
    }

    /** Whether this family runs {@link FusedLayer} when its {@link BlockPath} takes it. */
    protected boolean hasFusedLayer() {
        return false;
    }

    private void checkLength(int n) {
        if (n > info().maxPositions()) {
            throw new ModelException(
                    "sequence of " + n + " positions is longer than " + info().modelId() + " takes: "
                            + info().maxPositions() + " (config.json max_position_embeddings)");
        }
    }
}
