package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Generation;

/**
 * Greedy reconstruction check: does the memory alone decode the text? Teacher-forced accuracy near
 * 0.99 can hide a failed free-running decode (errors compound), so every run also reports this.
 *
 * <p>Prefix: the memory and the text's first token, then L-1 argmax tokens with the model's KV
 * cache, compared with tokens 1..L-1. The first token is given because the optimisation never
 * predicts it (the last memory position's logit is dropped, as in the paper); for tokenizers that
 * add BOS it is BOS, so the whole text comes from the memory alone.
 *
 * @param generated the L-1 decoded ids
 * @param exactMatch all L-1 tokens equal the text's
 * @param prefixLength number of leading decoded tokens equal to the text's
 * @param tokenAccuracy fraction of the L-1 positions where the decoded token equals the text's
 */
public record Greedy(int[] generated, boolean exactMatch, int prefixLength, double tokenAccuracy) {

    /**
     * Decodes from {@code memory} (row-major [K, d]) and compares with {@code tokens}.
     *
     * @param tokens the text's L ids (L >= 2)
     */
    public static Greedy decode(CausalLM model, float[] memory, int k, int[] tokens) {
        int d = model.info().hiddenSize();
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray mem = scope.create(memory, new Shape(1, k, d));
            NDArray first = model.embed(scope.create(new long[] {tokens[0]}, new Shape(1, 1)));
            return compare(Generation.greedy(model, mem.concat(first, 1), tokens.length - 1), tokens);
        }
    }

    /** Scores decoded ids against tokens 1..L-1. */
    static Greedy compare(int[] generated, int[] tokens) {
        int n = tokens.length - 1;
        int prefix = 0;
        int m = Math.min(n, generated.length); // decoding may stop early at the model's last position
        while (prefix < m && generated[prefix] == tokens[prefix + 1]) {
            prefix++;
        }
        int hits = 0;
        for (int i = 0; i < m; i++) {
            if (generated[i] == tokens[i + 1]) {
                hits++;
            }
        }
        return new Greedy(generated, prefix == n, prefix, n == 0 ? 1.0 : (double) hits / n);
    }
}
