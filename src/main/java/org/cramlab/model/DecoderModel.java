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
     */
    record Step(Attention.Plan attention, int past, NDArray attentionMask, KvCache cache) {

        /** Keys and values to attend over: this call's, appended to the cache when decoding. */
        NDArray[] keysValues(int layer, NDArray k, NDArray v) {
            return cache == null ? new NDArray[] {k, v} : cache.append(layer, k, v);
        }

        /** softmax(q k^T * scale + mask) v over {@code kv} ({@link #keysValues}), [B, T, H * hd]. */
        NDArray attend(NDArray q, NDArray[] kv, float scale) {
            return Attention.attend(q, kv[0], kv[1], attention, scale);
        }
    }

    private final int layers;
    private final AttentionPlanner attention;

    DecoderModel(ModelInfo info, NDManager manager, DataType dtype, NDList parameters, NDArray embedding, int layers,
            AttentionPath attention) {
        super(info, manager, dtype, parameters, embedding);
        this.layers = layers;
        this.attention = new AttentionPlanner(attention, manager, info.maxPositions());
    }

    @Override
    public AttentionPath attentionPath() {
        return attention.path();
    }

    /** Hidden states in the weight dtype [B, T, d] to logits [B, T, V] (any float dtype). */
    protected abstract NDArray run(NDArray h, Step step);

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask) {
        int b = checkEmbeds(inputsEmbeds);
        int t = (int) inputsEmbeds.getShape().get(1);
        checkLength(t);
        NDManager m = inputsEmbeds.getManager();
        checkMask(attentionMask, b, t);
        NDArray keyMask = attentionMask == null ? m.ones(new Shape(b, t), DataType.INT64)
                : attentionMask.toType(DataType.INT64, false);
        Attention.Plan plan = attention.plan(m, b, t, 0, attentionMask == null ? null : keyMask);
        NDArray h = inputsEmbeds.toType(dtype, false);
        return run(h, new Step(plan, 0, keyMask, null)).toType(DataType.FLOAT32, false);
    }

    @Override
    public DecodeState newDecodeState(NDManager m) {
        return new KvCache(m, layers);
    }

    @Override
    public NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState state) {
        if (!(state instanceof KvCache cache)) {
            throw new IllegalArgumentException("decode state was not made by this model's newDecodeState");
        }
        int t = checkIncremental(inputsEmbeds);
        int past = cache.length();
        checkLength(past + t);
        NDManager m = inputsEmbeds.getManager();
        Attention.Plan plan = attention.plan(m, 1, t, past, null);
        NDArray keyMask = m.ones(new Shape(1, past + t), DataType.INT64);
        NDArray logits = run(inputsEmbeds.toType(dtype, false), new Step(plan, past, keyMask, cache));
        cache.advance(t);
        return logits.toType(DataType.FLOAT32, false);
    }

    private void checkLength(int n) {
        if (n > info().maxPositions()) {
            throw new ModelException(
                    "sequence of " + n + " positions is longer than " + info().modelId() + " takes: "
                            + info().maxPositions() + " (config.json max_position_embeddings)");
        }
    }
}
