package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What every decoder family shares: the embedding lookup, dtype policy (float32 in and out, weight
 * dtype inside), masks, length checks, KV-cache plumbing and parameter bookkeeping. A family only
 * writes {@link #run}: hidden states in, logits out, reading like its transformers module.
 */
abstract class DecoderModel implements CausalLM {

    /**
     * What one forward call needs besides the hidden states.
     *
     * @param mask additive float32 attention mask [B, 1, T, S]
     * @param past positions already in the cache (0 for a full forward)
     * @param attentionMask [B, S] 0/1 mask of real tokens (all ones when none was given)
     * @param cache the KV cache for incremental decoding, null for a full forward
     */
    record Step(NDArray mask, int past, NDArray attentionMask, KvCache cache) {

        /** Keys and values to attend over: this call's, appended to the cache when decoding. */
        NDArray[] keysValues(int layer, NDArray k, NDArray v) {
            return cache == null ? new NDArray[] {k, v} : cache.append(layer, k, v);
        }
    }

    protected final NDManager manager;
    protected final DataType dtype;
    private final ModelInfo info;
    private final NDList parameters;
    private final NDArray embedding;
    private final int layers;
    private final CausalMasks masks;

    DecoderModel(ModelInfo info, NDManager manager, DataType dtype, NDList parameters, NDArray embedding, int layers) {
        this.info = info;
        this.manager = manager;
        this.dtype = dtype;
        this.parameters = parameters;
        this.embedding = embedding;
        this.layers = layers;
        this.masks = new CausalMasks(manager, info.maxPositions());
    }

    /** Hidden states in the weight dtype [B, T, d] to logits [B, T, V] (any float dtype). */
    protected abstract NDArray run(NDArray h, Step step);

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public NDArray embed(NDArray tokenIds) {
        NDArray ids = tokenIds.toType(DataType.INT64, false);
        return Layers.lookup(embedding, ids).toType(DataType.FLOAT32, false);
    }

    @Override
    public NDArray embeddingMatrix() {
        return embedding;
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask) {
        int b = checkEmbeds(inputsEmbeds);
        int t = (int) inputsEmbeds.getShape().get(1);
        checkLength(t);
        NDManager m = inputsEmbeds.getManager();
        NDArray keyMask = attentionMask == null ? m.ones(new Shape(b, t), DataType.INT64)
                : attentionMask.toType(DataType.INT64, false);
        if (attentionMask != null && !attentionMask.getShape().equals(new Shape(b, t))) {
            throw new IllegalArgumentException(
                    "attention mask has shape " + attentionMask.getShape() + ", expected [" + b + ", " + t + "]");
        }
        // Without padding the mask is the same for every row and call: sliced from a cached table.
        NDArray mask = attentionMask == null ? masks.get(0, t, m) : Attention.causalMask(m, b, t, 0, keyMask);
        NDArray h = inputsEmbeds.toType(dtype, false);
        return run(h, new Step(mask, 0, keyMask, null)).toType(DataType.FLOAT32, false);
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
        int b = checkEmbeds(inputsEmbeds);
        if (b != 1) {
            throw new IllegalArgumentException("incremental decoding takes a batch of one, got " + b);
        }
        int t = (int) inputsEmbeds.getShape().get(1);
        int past = cache.length();
        checkLength(past + t);
        NDManager m = inputsEmbeds.getManager();
        NDArray mask = masks.get(past, t, m);
        NDArray keyMask = m.ones(new Shape(1, past + t), DataType.INT64);
        NDArray logits = run(inputsEmbeds.toType(dtype, false), new Step(mask, past, keyMask, cache));
        cache.advance(t);
        return logits.toType(DataType.FLOAT32, false);
    }

    private int checkEmbeds(NDArray x) {
        if (x.getShape().dimension() != 3 || x.getShape().get(2) != info.hiddenSize()) {
            throw new IllegalArgumentException(
                    "inputs_embeds has shape " + x.getShape() + ", expected [B, T, " + info.hiddenSize() + "] for "
                            + info.modelId());
        }
        return (int) x.getShape().get(0);
    }

    private void checkLength(int n) {
        if (n > info.maxPositions()) {
            throw new ModelException(
                    "sequence of " + n + " positions is longer than " + info.modelId() + " takes: "
                            + info.maxPositions() + " (config.json max_position_embeddings)");
        }
    }

    @Override
    public NDList parameters() {
        return parameters;
    }

    @Override
    public void setTrainable(boolean trainable) {
        for (NDArray p : parameters) {
            p.setRequiresGradient(trainable);
        }
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Number of weights in {@code params}. */
    static long count(NDList params) {
        long n = 0;
        for (NDArray p : params) {
            n += p.size();
        }
        return n;
    }
}
