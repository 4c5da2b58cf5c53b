package org.cramlab.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import org.cramlab.checkpoint.HfConfig;

/**
 * Everything a family's loader reads from: the config, the checkpoint, the target manager and dtype.
 *
 * @param config config.json
 * @param weights the checkpoint, loading into {@code manager} in {@code storage} dtype
 * @param manager owns the model's weights
 * @param requested the dtype asked for (bfloat16 is emulated)
 * @param storage the dtype weights are stored and computed in
 * @param modelId id for {@link ModelInfo}
 * @param attention the attention path of attention-based families
 * @param blocks the path of the blocks around attention (families with a fused module: Llama, OLMo)
 */
record Source(HfConfig config, Weights weights, NDManager manager, DataType requested, DataType storage,
        String modelId, AttentionPath attention, BlockPath blocks) {

    /** ModelInfo for a loaded family (call after all weights are loaded). */
    ModelInfo info(int hiddenSize, int vocabSize, int maxPositions) {
        return new ModelInfo(modelId, config.modelType(), hiddenSize, vocabSize, maxPositions,
                LoadedModel.count(weights.parameters()), requested.toString().toLowerCase(Locale.ROOT),
                manager.getDevice().toString());
    }
}
