package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Causal multi-head attention with grouped-query heads, as transformers' eager attention: scores in
 * the weight dtype, mask added, softmax in float32, cast back.
 */
final class Attention {

    private Attention() {}

    /**
     * Additive float32 mask [B, 1, T, S] for T new queries after {@code past} cached positions
     * (S = past + T): 0 where key s <= query position and key s is a real token, a large negative
     * value elsewhere. Built from arange comparisons (DJL has no tril).
     *
     * @param keyMask [B, S] 1 for real tokens, 0 for right padding; null means all real
     */
    static NDArray causalMask(NDManager m, int batch, int t, int past, NDArray keyMask) {
        int s = past + t;
        NDArray q = m.arange(past, s, 1, DataType.INT64).reshape(t, 1);
        NDArray k = m.arange(0, s, 1, DataType.INT64).reshape(1, s);
        NDArray allowed = k.lte(q).reshape(1, 1, t, s);
        if (keyMask != null) {
            NDArray real = keyMask.toType(DataType.BOOLEAN, false).reshape(batch, 1, 1, s);
            allowed = allowed.logicalAnd(real);
        }
        // transformers fills with finfo(float32).min; any value that underflows exp() is the same
        return allowed.logicalNot().toType(DataType.FLOAT32, false).mul(-Float.MAX_VALUE);
    }

    /**
     * softmax(q k^T * scale + mask) v.
     *
     * @param q [B, H, T, hd]
     * @param k [B, KV, S, hd] with H a multiple of KV (grouped-query attention)
     * @param v [B, KV, S, hd]
     * @param mask additive float32 [B or 1, 1, T, S]
     * @return [B, T, H * hd]
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        long b = q.getShape().get(0);
        long h = q.getShape().get(1);
        long t = q.getShape().get(2);
        long hd = q.getShape().get(3);
        long kv = k.getShape().get(1);
        long s = k.getShape().get(2);
        NDManager step = q.getManager();
        NDArray kT = local(k.transpose(0, 1, 3, 2), step);
        // Scale q [.., T, hd] rather than the scores [.., T, S] (as torch's sdpa does): one elementwise op
        // (and its backward) on an array hd/S times the size; equal to transformers' eager order within float
        // rounding (the golden-model tolerances).
        q = Ops.mul(q, scale);
        if (kv == h) {
            NDArray scores = q.matMul(kT);
            NDArray probs = scores.toType(DataType.FLOAT32, false).add(mask).softmax(-1).toType(q.getDataType(), false);
            return probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, h * hd);
        }
        // Grouped-query attention without copying k/v per query head (transformers' repeat_kv):
        // query head j uses kv head j / g, so the g query heads of a group share one matmul.
        long g = h / kv;
        NDArray qg = q.reshape(b, kv, g * t, hd);
        NDArray scores = qg.matMul(kT).reshape(b, kv, g, t, s);
        NDArray probs = scores.toType(DataType.FLOAT32, false).add(mask.expandDims(1)).softmax(-1)
                .toType(q.getDataType(), false).reshape(b, kv, g * t, s);
        return probs.matMul(v).reshape(b, h, t, hd).transpose(0, 2, 1, 3).reshape(b, t, h * hd);
    }

    /**
     * Moves a view derived from a cached (longer-lived) array into the step's manager, so that the
     * temporaries of an incremental call are freed with the step, not kept until the cache closes.
     */
    static NDArray local(NDArray a, NDManager step) {
        if (a.getManager() != step) {
            a.attach(step);
        }
        return a;
    }

    /** [B, T, H * hd] to [B, H, T, hd]. */
    static NDArray splitHeads(NDArray x, long heads, long headDim) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        return x.reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
    }
}
