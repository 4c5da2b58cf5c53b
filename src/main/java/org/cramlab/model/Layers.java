package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;
import org.cramlab.checkpoint.HfConfig;

/**
 * Stateless building blocks shared by the model families. Every op is called on the activation,
 * never on a weight, so results land in the caller's (per-step) manager, not the model's.
 */
final class Layers {

    private Layers() {}

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
        NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI));
        return x.mul(0.5f).mul(inner.tanh().add(1f));
    }

    /** The activation named by {@code field} of the config (hidden_act, activation_function). */
    static UnaryOperator<NDArray> activation(HfConfig cfg, String field, String dflt) {
        String name = cfg.optString(field, dflt);
        switch (name) {
            case "silu": case "swish": return Layers::silu;
            case "gelu": return x -> x.getNDArrayInternal().gelu();
            case "gelu_new": case "gelu_pytorch_tanh": case "gelu_fast": return Layers::geluTanh;
            case "relu": return x -> x.getNDArrayInternal().relu();
            default:
                throw cfg.unsupported(field, name, "one of silu, gelu, gelu_new, gelu_pytorch_tanh, relu");
        }
    }
}
