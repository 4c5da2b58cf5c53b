package org.cramlab.init;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.cramlab.model.CausalLM;

/** The feature a learned init sees of a text: the mean of its tokens' input embeddings, float32 [d]. */
public final class TextFeature {

    private TextFeature() {}

    /** Mean-pooled input embeddings of {@code tokenIds} (cheap: no forward pass). */
    public static float[] meanEmbedding(CausalLM model, int[] tokenIds) {
        if (tokenIds.length == 0) {
            throw new InitException("a text feature needs at least one token");
        }
        NDArray e = model.embeddingMatrix();
        try (NDManager tmp = model.manager().newSubManager()) {
            NDArray rows = e.get(tmp.create(tokenIds));
            rows.attach(tmp); // indexing lands in the model's manager
            return rows.toType(DataType.FLOAT32, false).mean(new int[] {0}).toFloatArray();
        }
    }
}
