package org.cramlab.init;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cramlab.model.CausalLM;

/**
 * The feature a learned init sees of a text: from the model's input embeddings (no forward pass), the mean of
 * its tokens' embeddings [d] or their concatenation in order [L*d] (position-aware); or from one forward pass of
 * the frozen model, its final hidden states (after the final norm, before the head) mean-pooled or at the last
 * position [d].
 */
public final class TextFeature {

    /** Which feature an init was fitted on (recorded in its file as {@code feature}). */
    public enum Kind {
        /** Mean of the tokens' input embeddings, [d]. */
        MEAN_EMBEDDING("mean-embedding"),
        /** Input embeddings of positions 0..L-1 concatenated, [L*d]. */
        POSITIONAL("positional"),
        /** The frozen model's final hidden states of the text, mean-pooled over positions, [d]. */
        HIDDEN("hidden"),
        /** The frozen model's final hidden state at the text's last position, [d]. */
        HIDDEN_LAST("hidden-last");

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
            throw new InitException("text feature must be mean-embedding, positional, hidden or hidden-last, got '" + s + "'");
        }
    }

    private TextFeature() {}

    /** The feature of this kind; POSITIONAL of a text of another length than {@code width / d} is cut or padded. */
    public static float[] of(Kind kind, CausalLM model, int[] tokenIds, int width, float[] padding) {
        if (kind != Kind.POSITIONAL) return of(kind, model, tokenIds);
        float[] all = positional(model, tokenIds);
        if (all.length == width) return all;
        float[] f = padding.clone(); // positions the text lacks sit at the training mean: no pull either way
        System.arraycopy(all, 0, f, 0, Math.min(width, all.length));
        return f;
    }

    /** The feature of this kind as the text gives it (POSITIONAL: [L*d] for a text of L tokens). */
    public static float[] of(Kind kind, CausalLM model, int[] tokenIds) {
        return switch (kind) {
            case MEAN_EMBEDDING -> meanEmbedding(model, tokenIds);
            case POSITIONAL -> positional(model, tokenIds);
            case HIDDEN -> hidden(model, tokenIds, false);
            case HIDDEN_LAST -> hidden(model, tokenIds, true);
        };
    }

    /**
     * The frozen model's final hidden states of {@code tokenIds} (one forward pass, no memory, no autograd: the
     * weights are frozen and the embeddings carry no gradient), mean-pooled or at the last position, [d].
     */
    public static float[] hidden(CausalLM model, int[] tokenIds, boolean lastOnly) {
        if (tokenIds.length == 0) {
            throw new InitException("a text feature needs at least one token");
        }
        try (NDManager tmp = model.manager().newSubManager()) {
            long[] ids = new long[tokenIds.length];
            for (int i = 0; i < ids.length; i++) ids[i] = tokenIds[i];
            NDArray x = model.embed(tmp.create(ids, new Shape(1, ids.length)));
            NDArray h = model.hiddenStates(x, null).get(0); // [T, d]
            return (lastOnly ? h.get(ids.length - 1) : h.mean(new int[] {0})).toFloatArray();
        }
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
