package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What every family shares whatever its sequence mixer (attention in {@link DecoderModel}, a
 * state-space scan in {@link Mamba}): the embedding lookup, the weights and their manager, the
 * frozen/trainable switch and the input checks.
 */
abstract class LoadedModel implements CausalLM {

    protected final NDManager manager;
    protected final DataType dtype;
    private final ModelInfo info;
    private final NDList parameters;
    private final NDArray embedding;
    private volatile boolean trainable;

    LoadedModel(ModelInfo info, NDManager manager, DataType dtype, NDList parameters, NDArray embedding) {
        this.info = info;
        this.manager = manager;
        this.dtype = dtype;
        this.parameters = parameters;
        this.embedding = embedding;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public NDArray embed(NDArray tokenIds) {
        NDArray ids = tokenIds.toType(DataType.INT64, false);
        return Ops.lookup(embedding, ids).toType(DataType.FLOAT32, false);
    }

    @Override
    public NDArray embeddingMatrix() {
        return embedding;
    }

    /** Checks inputs_embeds is [B, T, d] and returns B. */
    protected int checkEmbeds(NDArray x) {
        if (x.getShape().dimension() != 3 || x.getShape().get(2) != info.hiddenSize()) {
            throw new IllegalArgumentException(
                    "inputs_embeds has shape " + x.getShape() + ", expected [B, T, " + info.hiddenSize() + "] for "
                            + info.modelId());
        }
        return (int) x.getShape().get(0);
    }

    /** Checks inputs_embeds of an incremental call is [1, T, d] and returns T. */
    protected int checkIncremental(NDArray x) {
        int b = checkEmbeds(x);
        if (b != 1) {
            throw new IllegalArgumentException("incremental decoding takes a batch of one, got " + b);
        }
        return (int) x.getShape().get(1);
    }

    /** Checks an attention mask is null or [b, t]. */
    protected static void checkMask(NDArray attentionMask, int b, int t) {
        if (attentionMask != null && !attentionMask.getShape().equals(new Shape(b, t))) {
            throw new IllegalArgumentException(
                    "attention mask has shape " + attentionMask.getShape() + ", expected [" + b + ", " + t + "]");
        }
    }

    /** Number of decoder layers. */
    abstract int layerCount();

    /** {@link #forward(NDArray, NDArray)} through the part of the model {@code r} keeps. */
    abstract NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, Restriction r);

    /** {@link #forwardIncremental(NDArray, DecodeState)} through the part of the model {@code r} keeps. */
    abstract NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState state, Restriction r);

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask) {
        return forward(inputsEmbeds, attentionMask, Restriction.all(layerCount()));
    }

    @Override
    public NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState state) {
        return forwardIncremental(inputsEmbeds, state, Restriction.all(layerCount()));
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
        this.trainable = trainable;
    }

    /** Whether {@link #setTrainable} made the weights trainable (then fused blocks are not used). */
    boolean trainable() {
        return trainable;
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
