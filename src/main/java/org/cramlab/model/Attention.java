package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Causal multi-head attention with grouped-query heads. The explicit path is transformers' eager
 * attention (scores in the weight dtype, mask added, softmax in float32, cast back) and the reference;
 * the fused path is torch's sdpa ({@link FusedAttention}), chosen per call by {@link AttentionPlanner}.
 */
final class Attention {

    private Attention() {}

    /**
     * How every layer of one forward call attends (decided once per call: T, S and the masks are the
     * same in all layers): the explicit path with its additive mask, or one of the fused module's kinds.
     *
     * @param mask additive float32 [B or 1, 1, T, S] for the explicit path, else null
     * @param fused the fused module, or null for the explicit path
     * @param kind the fused module's masking
     * @param allowed boolean [B or 1, 1, T, S] for {@link FusedAttention.Kind#MASKED}, else null
     */
    record Plan(NDArray mask, FusedAttention fused, FusedAttention.Kind kind, NDArray allowed) {

        static Plan explicit(NDArray mask) {
            return new Plan(mask, null, null, null);
        }

        static Plan fused(FusedAttention fused, FusedAttention.Kind kind, NDArray allowed) {
            return new Plan(null, fused, kind, allowed);
        }

        boolean isFused() {
            return fused != null;
        }
    }

    /**
     * Boolean mask [B, 1, T, S] (B = 1 without a key mask) for T new queries after {@code past}
     * cached positions (S = past + T): true where key s <= query position and key s is a real
     * token. Built from arange comparisons (DJL has no tril).
     *
     * @param keyMask [B, S] 1 for real tokens, 0 for right padding; null means all real
     */
    static NDArray allowed(NDManager m, int batch, int t, int past, NDArray keyMask) {
        int s = past + t;
        NDArray q = m.arange(past, s, 1, DataType.INT64).reshape(t, 1);
        NDArray k = m.arange(0, s, 1, DataType.INT64).reshape(1, s);
        NDArray allowed = k.lte(q).reshape(1, 1, t, s);
        if (keyMask != null) {
            NDArray real = keyMask.toType(DataType.BOOLEAN, false).reshape(batch, 1, 1, s);
            allowed = allowed.logicalAnd(real);
        }
        return allowed;
    }

    /**
     * Additive float32 mask [B, 1, T, S]: 0 where {@link #allowed}, a large negative value elsewhere.
     *
     * @param keyMask [B, S] 1 for real tokens, 0 for right padding; null means all real
     */
    static NDArray causalMask(NDManager m, int batch, int t, int past, NDArray keyMask) {
        // transformers fills with finfo(float32).min; any value that underflows exp() is the same
        return allowed(m, batch, t, past, keyMask).logicalNot().toType(DataType.FLOAT32, false).mul(-Float.MAX_VALUE);
    }

    /**
     * {@link #causalMask} where, in addition, queries at positions >= {@code memory} may not attend to the
     * first {@code memory} keys (attention knockout of the memory). Memory queries keep their causal
     * view of the memory, so no row is fully masked (a fully masked row would be NaN and poison later layers).
     */
    static NDArray memoryHiddenMask(NDManager m, int batch, int t, int past, NDArray keyMask, int memory) {
        int s = past + t;
        NDArray textQuery = m.arange(past, s, 1, DataType.INT64).reshape(t, 1).gte(memory);
        NDArray memoryKey = m.arange(0, s, 1, DataType.INT64).reshape(1, s).lt(memory);
        NDArray hidden = textQuery.logicalAnd(memoryKey).reshape(1, 1, t, s);
        NDArray allowed = allowed(m, batch, t, past, keyMask).logicalAnd(hidden.logicalNot());
        return allowed.logicalNot().toType(DataType.FLOAT32, false).mul(-Float.MAX_VALUE);
    }

    /**
     * softmax(q k^T * scale + mask) v on the plan's path. Both paths scale q first, so they compute
     * the same math; the fused one never materialises the [B, H, T, S] scores.
     *
     * @param q [B, H, T, hd]
     * @param k [B, KV, S, hd] with H a multiple of KV (grouped-query attention)
     * @param v [B, KV, S, hd]
     * @return [B, T, H * hd]
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, Plan plan, float scale) {
        if (!plan.isFused()) {
            return attend(q, k, v, plan.mask(), scale);
        }
        // the result lands in q's (per-step) manager; cached k and v stay where they are
        return plan.fused().attend(scaled(q, scale), k, v, plan.kind(), plan.allowed());
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
        q = scaled(q, scale);
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

    /** q * scale; no op for scale 1 (OPT scales q itself), bit-identical either way. */
    private static NDArray scaled(NDArray q, float scale) {
        return scale == 1f ? q : Ops.mul(q, scale);
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
