package org.cramlab.bits;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.cramlab.model.CausalLM;

/**
 * The one model pass both the encoder and the decoder run, so that both derive bit-identical
 * frequency tables: the prefix {@code [memory; embed(BOS)]} fed once through the incremental state
 * (KV cache), then each token one at a time. The decoder has to decode this way (it learns token i
 * only after coding it), so the encoder does exactly the same, with the same dequantised memory and
 * the same calls, rather than one teacher-forced parallel forward whose float rounding differs.
 *
 * <p>Token 0's table comes from the prefix's last position; with no prefix at all (no memory and a
 * tokenizer without BOS) token 0 is coded under the uniform table.
 */
final class CodingPass {

    /** Sees each token's table and says which token it is (the encoder codes the known one, the decoder reads it). */
    interface Step {
        int token(int index, Frequencies table);
    }

    private CodingPass() {}

    /**
     * Runs the pass over {@code n} tokens.
     *
     * @param memory dequantised row-major [k, d], or null when k = 0
     * @param bos BOS id fed after the memory, or -1 for none
     * @return the n tokens the step returned
     */
    static int[] run(CausalLM model, float[] memory, int k, int bos, int n, Step step) {
        int[] tokens = new int[n];
        if (n == 0) {
            return tokens;
        }
        int d = model.info().hiddenSize();
        int prefix = k + (bos >= 0 ? 1 : 0);
        if (prefix + n - 1 > model.info().maxPositions()) {
            throw new BitsException(n + " tokens after a prefix of " + prefix + " need " + (prefix + n - 1)
                    + " positions; " + model.info().modelId() + " takes " + model.info().maxPositions());
        }
        try (NDManager scope = model.manager().newSubManager();
                CausalLM.DecodeState state = model.newDecodeState(scope)) {
            Frequencies table;
            if (prefix == 0) {
                table = Frequencies.uniform(model.info().vocabSize());
            } else {
                try (NDManager s = scope.newSubManager()) {
                    NDArray x = null;
                    if (k > 0) {
                        x = s.create(memory, new Shape(1, k, d));
                    }
                    if (bos >= 0) {
                        NDArray b = model.embed(s.create(new long[] {bos}, new Shape(1, 1)));
                        x = x == null ? b : x.concat(b, 1);
                    }
                    table = lastTable(model.forwardIncremental(x, state));
                }
            }
            for (int i = 0; i < n; i++) {
                tokens[i] = step.token(i, table);
                if (i + 1 < n) {
                    try (NDManager s = scope.newSubManager()) {
                        NDArray ids = s.create(new long[] {tokens[i]}, new Shape(1, 1));
                        table = lastTable(model.forwardIncremental(model.embed(ids), state));
                    }
                }
            }
        }
        return tokens;
    }

    private static Frequencies lastTable(NDArray logits) {
        long t = logits.getShape().get(1);
        return Frequencies.fromLogits(logits.get(new NDIndex("0, {}", t - 1)).toFloatArray());
    }
}
