package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * A decoder-only language model fed with input embeddings, as Hugging Face's {@code inputs_embeds}.
 *
 * <p>Implementations are one file per model family (llama, gpt_neox, gpt2, opt, olmo, mamba). Weights live in
 * {@link #manager()} for the model's lifetime; every array a call creates is attached to the manager
 * of its input, so callers scope temporaries with {@code manager.newSubManager()} per step.
 *
 * <p>Dtype policy (the paper's autocast): weights may be float32, bfloat16 or float16; the embeddings
 * passed in and the logits returned are always float32.
 *
 * <p>The interface says nothing about attention so that a state-space model (Mamba) can implement it:
 * {@link DecodeState} is whatever a model carries between incremental decoding calls.
 */
public interface CausalLM extends AutoCloseable {

    /** Static facts about the loaded model (id, sizes, dtype, device). */
    ModelInfo info();

    /** Input-embedding lookup: token ids [B, T] (int64) to float32 embeddings [B, T, d]. */
    NDArray embed(NDArray tokenIds);

    /** The input-embedding matrix [V, d] in its storage dtype (used for the memory init scale). */
    NDArray embeddingMatrix();

    /**
     * Full forward pass.
     *
     * @param inputsEmbeds float32 [B, T, d]
     * @param attentionMask [B, T] with 1 for real positions and 0 for right padding; null means all ones
     * @return float32 logits [B, T, V]
     */
    NDArray forward(NDArray inputsEmbeds, NDArray attentionMask);

    /**
     * The final layer's hidden states, after the final norm and before the head (for OPT, after its
     * project_out): what the head maps to logits. Same inputs as {@link #forward}; float32 [B, T, d].
     * A model that cannot give them (a layer view) refuses with a {@link ModelException}.
     */
    default NDArray hiddenStates(NDArray inputsEmbeds, NDArray attentionMask) {
        throw new ModelException(info().modelId() + " gives no hidden states through this view: load the whole model");
    }

    /** Starts incremental decoding for a batch of one; the state holds the model's cache. */
    DecodeState newDecodeState(NDManager manager);

    /**
     * Incremental forward: feeds {@code inputsEmbeds} [1, T, d] after everything the state has seen
     * and returns float32 logits [1, T, V] for the new positions, updating the state.
     */
    NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState state);

    /** All weights by their checkpoint name, for training and saving. */
    NDList parameters();

    /**
     * Frozen (default): no weight carries a gradient buffer, gradients still flow to inputs.
     * Trainable: every weight gets a gradient (used to train the default model).
     */
    void setTrainable(boolean trainable);

    /** The manager that owns the weights. */
    NDManager manager();

    /** The attention path this model was loaded with; null for a model without attention (Mamba). */
    default AttentionPath attentionPath() {
        return null;
    }

    @Override
    void close();

    /** What a model keeps between incremental calls (a KV cache for transformers, conv and SSM states for Mamba). */
    interface DecodeState extends AutoCloseable {
        /** Number of positions consumed so far. */
        int length();

        @Override
        void close();
    }
}
