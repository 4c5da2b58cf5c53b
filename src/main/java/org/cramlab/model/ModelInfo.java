package org.cramlab.model;

/**
 * Static facts about a loaded model.
 *
 * @param modelId a name for records: the directory name or the Hub id given by the user
 * @param modelType Hugging Face {@code model_type} (llama, gpt_neox, gpt2, opt, olmo, mamba)
 * @param hiddenSize the input-embedding width d (OPT's {@code word_embed_proj_dim} where set), the
 *     width of a memory vector
 * @param vocabSize {@code config.vocab_size} (the padded embedding size, as the paper uses)
 * @param maxPositions the longest sequence the model takes (memory plus text); {@link Integer#MAX_VALUE}
 *     for a model without positions (Mamba)
 * @param numParameters number of weights
 * @param dtype storage dtype of the weights (float32, bfloat16, float16)
 * @param device DJL device string (cpu(), gpu(0))
 */
public record ModelInfo(
        String modelId,
        String modelType,
        int hiddenSize,
        int vocabSize,
        int maxPositions,
        long numParameters,
        String dtype,
        String device) {}
