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
 *       [1, L], and equals L exactly when the decode is exact. With the first token scored (the peer's
 *       indexing, {@link CramSettings#scoreFirstToken()}) all L tokens are decoded from the memory alone and
 *       the horizon is the correct decoded prefix, in [0, L].
 *   <li><b>encoded tokens</b> ({@link #encodedTokens}): the tokens of that horizon the memory itself had to
 *       produce, i.e. the horizon without the given token 0 (horizon - 1 with the paper's indexing, the
 *       horizon itself with the first token scored). This is the number to compare across indexings and with
 *       the peer: when the tokenizer adds BOS the given token is BOS and the encoded tokens are exactly the
 *       text tokens reproduced; when it adds none (stories260K) the paper's horizon counts the first text
 *       token, which the memory never encoded, and the encoded tokens do not.
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
        return of(model, memory, k, tokens, greedy, false);
    }

    /** As {@link #of(CausalLM, float[], int, int[], Greedy)}; {@code scoreFirst}: the first token is scored too. */
    public static Exactness of(CausalLM model, float[] memory, int k, int[] tokens, Greedy greedy, boolean scoreFirst) {
        return new Exactness(
                horizon(greedy, scoreFirst),
                margin(model, memory, k, tokens, scoreFirst),
                horizon(model, roundBf16(memory), k, tokens, scoreFirst) == tokens.length,
                horizon(model, roundFp16(memory, model), k, tokens, scoreFirst) == tokens.length);
    }

    /** Greedy horizon (see the class doc): 1 + the correct prefix of a greedy decode of L-1 tokens. */
    public static int horizon(CausalLM model, float[] memory, int k, int[] tokens) {
        return horizon(model, memory, k, tokens, false);
    }

    /** Greedy horizon; {@code scoreFirst}: the correct prefix of a greedy decode of all L tokens. */
    public static int horizon(CausalLM model, float[] memory, int k, int[] tokens, boolean scoreFirst) {
        return horizon(Greedy.decode(model, memory, k, tokens, scoreFirst), scoreFirst);
    }

    /** Greedy horizon of a finished greedy check (same definition as {@link #horizon}). */
    public static int horizon(Greedy greedy) {
        return horizon(greedy, false);
    }

    /** Greedy horizon of a finished greedy check decoded with or without the first token given. */
    public static int horizon(Greedy greedy, boolean scoreFirst) {
        return (scoreFirst ? 0 : 1) + greedy.prefixLength();
    }

    /**
     * Encoded tokens of a horizon (see the class doc): the horizon without the given first token.
     *
     * @param horizon a horizon in units of L, as {@link #horizon} returns it (-1: not measured)
     * @param scoreFirst whether the first token was scored (then nothing was given)
     * @return tokens the memory reproduced itself; -1 when the horizon was not measured
     */
    public static int encodedTokens(int horizon, boolean scoreFirst) {
        if (horizon < 0) return -1;
        return scoreFirst ? horizon : Math.max(0, horizon - 1);
    }

    /**
     * Decode margin: min over the L-1 scored positions of the correct token's logit minus the best
     * other logit, from one full forward of {@code [memory; embed(tokens)]}.
     */
    public static double margin(CausalLM model, float[] memory, int k, int[] tokens) {
        return margin(model, memory, k, tokens, false);
    }

    /** Decode margin; {@code scoreFirst}: over all L positions, the last memory position's included. */
    public static double margin(CausalLM model, float[] memory, int k, int[] tokens, boolean scoreFirst) {
        if (tokens.length < 2) {
            throw new CramException("decode margin needs L >= 2 tokens (the first is never scored), got " + tokens.length);
        }
        int d = model.info().hiddenSize();
        int v = model.info().vocabSize();
        int from = scoreFirst ? 0 : 1; // first scored token
        int n = tokens.length - from;
        try (NDManager scope = model.manager().newSubManager()) {
            long[] ids = new long[tokens.length];
            long[] targets = new long[n];
            for (int i = 0; i < tokens.length; i++) {
                ids[i] = tokens[i];
                if (i >= from) {
                    targets[i - from] = tokens[i];
                }
            }
            NDArray mem = scope.create(memory, new Shape(1, k, d));
            NDArray x = mem.concat(model.embed(scope.create(ids, new Shape(1, tokens.length))), 1);
            // position K - 1 + j predicts token j, for the scored tokens j = from..L-1 (logits shifted)
            int first = k - 1 + from;
            NDArray logits = model.forward(x, null).get("0, {}:{}", first, first + n).toType(DataType.FLOAT32, false);
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
