package org.cramlab.bits;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;

/**
 * A model whose incremental logits change after {@code stableCalls} calls: what a non-reproducible
 * kernel looks like to the codec (the encoder and the decoder see different tables).
 */
final class FlakyModel implements CausalLM {

    private final CausalLM model;
    private final int stableCalls;
    private int calls;

    FlakyModel(CausalLM model, int stableCalls) {
        this.model = model;
        this.stableCalls = stableCalls;
    }

    @Override
    public NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState state) {
        NDArray logits = model.forwardIncremental(inputsEmbeds, state);
        if (++calls <= stableCalls) {
            return logits;
        }
        NDArray noise = logits.getManager().randomUniform(0f, 4f, logits.getShape());
        return logits.add(noise);
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    @Override
    public NDArray embed(NDArray tokenIds) {
        return model.embed(tokenIds);
    }

    @Override
    public NDArray embeddingMatrix() {
        return model.embeddingMatrix();
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask) {
        return model.forward(inputsEmbeds, attentionMask);
    }

    @Override
    public DecodeState newDecodeState(NDManager manager) {
        return model.newDecodeState(manager);
    }

    @Override
    public NDList parameters() {
        return model.parameters();
    }

    @Override
    public void setTrainable(boolean trainable) {
        model.setTrainable(trainable);
    }

    @Override
    public NDManager manager() {
        return model.manager();
    }

    @Override
    public AttentionPath attentionPath() {
        return model.attentionPath();
    }

    @Override
    public void close() {
        // the wrapped model belongs to the test
    }
}
