package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cramlab.checkpoint.Bf16;
import org.cramlab.model.CausalLM;

/**
 * Is a memory lossless, and by how much? Teacher-forced accuracy (the paper's metric) can be 0.99 while
 * greedy decoding from the memory fails on an early token and never recovers (the Progressive Cramming
 * critique), so every run also reports:
 *
 * <ul>
 *   <li><b>greedy horizon</b>: the longest prefix of the L tokens that greedy decoding from the memory
 *       alone reproduces exactly, counted in the same units as L (special tokens included). Token 1 is
 *       given, never decoded: the paper's loss never predicts it (the last memory position's logit is
 *       dropped); for tokenizers that add BOS it is BOS, so every word comes from the memory. Hence the
 *       horizon is {@code 1 + }(decoded tokens equal to the text before the first mistake), lies in
 *       [1, L], and equals L exactly when the decode is exact.
 *   <li><b>decode margin</b>: over the L-1 scored (teacher-forced) positions, the smallest
 *       {@code logit[correct] - max(logit[other])}. margin &gt; 0 implies teacher-forced accuracy 1.0;
 *       margin &lt; 0 means at least one teacher-forced error (accuracy &lt; 1); margin == 0 is a tie,
 *       decided by argmax's tie-break (torch and DJL take the first index). The margin says how far a
 *       solved memory is from the edge, e.g. how much rounding it can take.
 *   <li><b>exact after rounding</b>: greedy decoding is still exact after the memory is rounded to
 *       bfloat16 and to float16 (the paper stores/evaluates memories in bf16 autocast for Llama-class
 *       models; a vector solved in float32 may not decode at 16 bits).
 * </ul>
 *
 * @param horizon greedy horizon in tokens, 1..L (L: exact)
 * @param margin decode margin over the L-1 scored positions (logit units)
 * @param exactBf16 greedy decoding is exact from the memory rounded to bfloat16
 * @param exactFp16 greedy decoding is exact from the memory rounded to float16
 */
public record Exactness(int horizon, double margin, boolean exactBf16, boolean exactFp16) {

    /** Marks "not measured" (a run without the greedy check): its record's exactness fields stay null. */
    public static final Exactness NOT_MEASURED = new Exactness(-1, Double.NaN, false, false);

    /** One forward (margin) and three greedy decodes (float32, bf16, fp16) from {@code memory} [K, d]. */
    public static Exactness measure(CausalLM model, float[] memory, int k, int[] tokens) {
        return of(model, memory, k, tokens, Greedy.decode(model, memory, k, tokens));
    }

    /** As {@link #measure}, reusing the float32 greedy decode already done for the run's record. */
    public static Exactness of(CausalLM model, float[] memory, int k, int[] tokens, Greedy greedy) {
        return new Exactness(
                horizon(greedy),
                margin(model, memory, k, tokens),
                horizon(model, roundBf16(memory), k, tokens) == tokens.length,
                horizon(model, roundFp16(memory, model), k, tokens) == tokens.length);
    }

    /** Greedy horizon (see the class doc): 1 + the correct prefix of a greedy decode of L-1 tokens. */
    public static int horizon(CausalLM model, float[] memory, int k, int[] tokens) {
        return 1 + Greedy.decode(model, memory, k, tokens).prefixLength();
    }

    /** Greedy horizon of a finished greedy check (same definition as {@link #horizon}). */
    public static int horizon(Greedy greedy) {
        return 1 + greedy.prefixLength();
    }

    /**
     * Decode margin: min over the L-1 scored positions of the correct token's logit minus the best
     * other logit, from one full forward of {@code [memory; embed(tokens)]}.
     */
    public static double margin(CausalLM model, float[] memory, int k, int[] tokens) {
        if (tokens.length < 2) {
            throw new CramException("decode margin needs L >= 2 tokens (the first is never scored), got " + tokens.length);
        }
        int d = model.info().hiddenSize();
        int v = model.info().vocabSize();
        int n = tokens.length - 1;
        try (NDManager scope = model.manager().newSubManager()) {
            long[] ids = new long[tokens.length];
            long[] targets = new long[n];
            for (int i = 0; i < tokens.length; i++) {
                ids[i] = tokens[i];
                if (i > 0) {
                    targets[i - 1] = tokens[i];
                }
            }
            NDArray mem = scope.create(memory, new Shape(1, k, d));
            NDArray x = mem.concat(model.embed(scope.create(ids, new Shape(1, tokens.length))), 1);
            // position K + i predicts token i + 1, for i = 0..L-2 (logits[:, K:] shifted)
            NDArray logits = model.forward(x, null).get("0, {}:{}", k, k + n).toType(DataType.FLOAT32, false);
            NDArray target = scope.create(targets, new Shape(n, 1));
            NDArray correct = logits.gather(target, -1).squeeze(-1);
            // push the correct entry far below every real logit, then take the best of the others
            NDArray others = logits.sub(target.squeeze(-1).oneHot(v).toType(DataType.FLOAT32, false).mul(1e30f)).max(new int[] {-1});
            return correct.sub(others).min().getFloat();
        }
    }

    /** Each value rounded to the nearest bfloat16 (round to nearest even), kept as float32. */
    public static float[] roundBf16(float[] memory) {
        float[] out = new float[memory.length];
        for (int i = 0; i < memory.length; i++) {
            out[i] = Bf16.round(memory[i]);
        }
        return out;
    }

    /** Each value rounded to the nearest float16 by the engine's cast (native dtype), kept as float32. */
    public static float[] roundFp16(float[] memory, CausalLM model) {
        try (NDManager scope = model.manager().newSubManager()) {
            return scope.create(memory).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }
}
