package org.cramlab.init;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.cramlab.model.CausalLM;

/**
 * The feature a learned init sees of a text, from the model's input embeddings (no forward pass): the mean of
 * its tokens' embeddings [d], or their concatenation in order [L*d] (position-aware).
 */
public final class TextFeature {

    /** Which feature an init was fitted on (recorded in its file as {@code feature}). */
    public enum Kind {
        /** Mean of the tokens' input embeddings, [d]. */
        MEAN_EMBEDDING("mean-embedding"),
        /** Input embeddings of positions 0..L-1 concatenated, [L*d]. */
        POSITIONAL("positional");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.label.equals(s)) return k;
            }
            throw new InitException("text feature must be mean-embedding or positional, got '" + s + "'");
        }
    }

    private TextFeature() {}

    /** The feature of this kind; POSITIONAL of a text of another length than {@code width / d} is cut or padded. */
    public static float[] of(Kind kind, CausalLM model, int[] tokenIds, int width, float[] padding) {
        if (kind == Kind.MEAN_EMBEDDING) return meanEmbedding(model, tokenIds);
        float[] all = positional(model, tokenIds);
        if (all.length == width) return all;
        float[] f = padding.clone(); // positions the text lacks sit at the training mean: no pull either way
        System.arraycopy(all, 0, f, 0, Math.min(width, all.length));
        return f;
    }

    /** Mean-pooled input embeddings of {@code tokenIds} (cheap: no forward pass). */
    public static float[] meanEmbedding(CausalLM model, int[] tokenIds) {
        try (NDManager tmp = model.manager().newSubManager()) {
            return rows(model, tokenIds, tmp).mean(new int[] {0}).toFloatArray();
        }
    }

    /** Input embeddings of {@code tokenIds} concatenated in order, [L*d]. */
    public static float[] positional(CausalLM model, int[] tokenIds) {
        try (NDManager tmp = model.manager().newSubManager()) {
            return rows(model, tokenIds, tmp).toFloatArray();
        }
    }

    private static NDArray rows(CausalLM model, int[] tokenIds, NDManager tmp) {
        if (tokenIds.length == 0) {
            throw new InitException("a text feature needs at least one token");
        }
        NDArray rows = model.embeddingMatrix().get(tmp.create(tokenIds));
        rows.attach(tmp); // indexing lands in the model's manager
        return rows.toType(DataType.FLOAT32, false);
    }

}
