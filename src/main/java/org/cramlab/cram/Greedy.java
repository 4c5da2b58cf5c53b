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
 * add BOS it is BOS, so the whole text comes from the memory alone. With the first token scored (the
 * peer's indexing, {@link CramSettings#scoreFirstToken()}) the prefix is the memory alone and all L tokens
 * are decoded and compared.
 *
 * @param generated the decoded ids (L-1, or L with the first token scored)
 * @param exactMatch all decoded tokens equal the text's
 * @param prefixLength number of leading decoded tokens equal to the text's
 * @param tokenAccuracy fraction of the decoded positions where the decoded token equals the text's
 */
public record Greedy(int[] generated, boolean exactMatch, int prefixLength, double tokenAccuracy) {

    /**
     * Decodes from {@code memory} (row-major [K, d]) and compares with {@code tokens}.
     *
     * @param tokens the text's L ids (L >= 2)
     */
    public static Greedy decode(CausalLM model, float[] memory, int k, int[] tokens) {
        return decode(model, memory, k, tokens, false);
    }

    /** As {@link #decode(CausalLM, float[], int, int[])}; {@code scoreFirst}: decode all L tokens from the memory alone. */
    public static Greedy decode(CausalLM model, float[] memory, int k, int[] tokens, boolean scoreFirst) {
        int d = model.info().hiddenSize();
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray mem = scope.create(memory, new Shape(1, k, d));
            if (scoreFirst) {
                return compare(Generation.greedy(model, mem, tokens.length), tokens, 0);
            }
            NDArray first = model.embed(scope.create(new long[] {tokens[0]}, new Shape(1, 1)));
            return compare(Generation.greedy(model, mem.concat(first, 1), tokens.length - 1), tokens, 1);
        }
    }

    /** Scores decoded ids against tokens 1..L-1. */
    static Greedy compare(int[] generated, int[] tokens) {
        return compare(generated, tokens, 1);
    }

    /** Scores decoded ids against tokens {@code from}..L-1 ({@code from} = 0: the first token was decoded too). */
    static Greedy compare(int[] generated, int[] tokens, int from) {
        int n = tokens.length - from;
        int prefix = 0;
        int m = Math.min(n, generated.length); // decoding may stop early at the model's last position
        while (prefix < m && generated[prefix] == tokens[prefix + from]) {
            prefix++;
        }
        int hits = 0;
        for (int i = 0; i < m; i++) {
            if (generated[i] == tokens[i + from]) {
                hits++;
            }
        }
        return new Greedy(generated, prefix == n, prefix, n == 0 ? 1.0 : (double) hits / n);
    }
}
