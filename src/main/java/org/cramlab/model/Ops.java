package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;
import org.cramlab.checkpoint.HfConfig;

/**
 * Stateless building blocks shared by the model families. Every op is called on the activation,
 * never on a weight, so results land in the caller's (per-step) manager, not the model's.
 *
 * <p>Multiplying or raising an activation by a number goes through {@link #mul(NDArray, float)} and
 * {@link #pow(NDArray, float)}, never DJL's {@code x.mul(Number)}: see {@link #constant}.
 */
final class Ops {

    private Ops() {}

    /**
     * The number {@code value} as a 0-d float32 array owned by {@code like}'s (per-step) manager, so
     * it lives until that manager closes, i.e. past the backward pass.
     *
     * <p>Why not {@code x.mul(value)}: DJL's PyTorch engine (0.36) wraps the number in a zero-copy
     * tensor over a Java direct buffer ({@code torch::from_blob}) and closes that array right after
     * the op. Autograd keeps the tensor for backward (d(x*s)/dx = s), but nothing keeps the buffer:
     * once a GC frees it, backward reads freed memory and the gradient becomes garbage or NaN while
     * the forward values stay right. That made cramming runs drift (or diverge) from a step that
     * depended on GC timing, i.e. on how busy the machine was. The constant is a copy in libtorch's own
     * memory, so it stays valid for autograd even when its array is closed before the backward.
     */
    static NDArray constant(NDArray like, float value) {
        // a copy that libtorch owns (not a view of the Java buffer), so freeing it early
        // ({@link LayerScope}) cannot free what autograd still reads
        return owned(like.getManager().create(value));
    }

    /** libtorch's own copy of {@code wrapped} (closed), not a view of a Java buffer (see {@link #constant}). */
    static NDArray owned(NDArray wrapped) {
        try (wrapped) {
            return wrapped.duplicate();
        }
    }

    /** {@code x * s}, safe under autograd (see {@link #constant}); same result as {@code x.mul(s)}. */
    static NDArray mul(NDArray x, float s) {
        return x.mul(constant(x, s));
    }

    /** {@code x ^ p}, safe under autograd (see {@link #constant}); same result as {@code x.pow(p)}. */
    static NDArray pow(NDArray x, float p) {
        return x.pow(constant(x, p));
    }

    /** {@code x @ w.T + b} for a Hugging Face Linear weight [out, in]; {@code b} may be null. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
    }

    /** Rows {@code ids} (int64, any shape) of an embedding table, in the ids' manager. */
    static NDArray lookup(NDArray table, NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, table, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
    }

    /** Llama RMSNorm: normalise in float32, cast back, then scale (as transformers does). */
    static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
        NDArray x32 = x.toType(DataType.FLOAT32, false);
        NDArray inv = x32.square().mean(new int[] {-1}, true).add(eps).sqrt();
        return x32.div(inv).toType(x.getDataType(), false).mul(weight);
    }

    /** LayerNorm over the last axis with weight and bias. */
    static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, float eps) {
        Shape last = new Shape(x.getShape().tail());
        return x.getNDArrayInternal().layerNorm(x, last, weight, bias, eps).singletonOrThrow();
    }

    /** LayerNorm without weight and bias, computed in float32 (OLMo's non-parametric norm). */
    static NDArray layerNormPlain(NDArray x, float eps) {
        NDArray x32 = x.toType(DataType.FLOAT32, false);
        NDArray centered = x32.sub(x32.mean(new int[] {-1}, true));
        NDArray var = centered.square().mean(new int[] {-1}, true);
        return centered.div(var.add(eps).sqrt()).toType(x.getDataType(), false);
    }

    /** SiLU / swish: x * sigmoid(x). */
    static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** GPT-2's tanh approximation of GELU ("gelu_new", "gelu_pytorch_tanh"). */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = mul(x.add(mul(pow(x, 3), 0.044715f)), (float) Math.sqrt(2 / Math.PI));
        return mul(x, 0.5f).mul(inner.tanh().add(1f)); // add(Number): AddBackward keeps no operand
    }

    /** The activation named by {@code field} of the config (hidden_act, activation_function). */
    static UnaryOperator<NDArray> activation(HfConfig cfg, String field, String dflt) {
        String name = cfg.optString(field, dflt);
        switch (name) {
            case "silu": case "swish": return Ops::silu;
            case "gelu": return x -> x.getNDArrayInternal().gelu();
            case "gelu_new": case "gelu_pytorch_tanh": case "gelu_fast": return Ops::geluTanh;
            case "relu": return x -> x.getNDArrayInternal().relu();
            default:
                throw cfg.unsupported(field, name, "one of silu, gelu, gelu_new, gelu_pytorch_tanh, relu");
        }
    }
}
