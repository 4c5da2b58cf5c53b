package org.cramlab.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A Llama layer's blocks around attention as single TorchScript calls (module written by
 * {@code src/main/python/make_fused_blocks.py} in the sid tree's torch, committed as a resource, SHA-256
 * checked): RMSNorm, and the post-attention half h + down(silu(gate n) * up n) with n = RMSNorm(h). Fewer
 * JNI calls per step, and torch's fused silu saves gate(n) for the backward where x * sigmoid(x) saves
 * x, sigmoid(x) and their product. RMSNorm normalises in float32 and casts back, as transformers';
 * float16/bfloat16 otherwise stay in their dtype. Weights are Hugging Face Linear weights [out, in].
 */
final class FusedBlocks {

    /** The archive on the classpath. */
    static final String ARCHIVE = "/cramlab/blocks/fused_blocks.pt";

    /** SHA-256 of the committed archive (printed by the generator); checked before loading. */
    static final String ARCHIVE_SHA256 = "f60c0371f1f788e41ff3f810caaaca0fe461ca8c1ec8a5ec3c29d879da704128";

    /** The committed archive. */
    static final TorchScriptModule.Archive COMMITTED = new TorchScriptModule.Archive(ARCHIVE, ARCHIVE_SHA256,
            "fused-blocks", "src/main/python/make_fused_blocks.py");

    /**
     * Fewest positions (B * T of one forward call) for which {@link BlockPath#AUTO} takes the fused blocks
     * on a CPU where the fused layer ({@link FusedLayer}) does not apply. Measured on the default model's whole
     * step with {@code bench paths}, fused / explicit time at one thread, paired in one JVM: 1.08 at T = 17 (the
     * module call's overhead shows), 0.95 at 65, 0.99 at 257; from 65 on the time is the same within the
     * machine's noise and the peak memory is lower (docs/benchmarks.md).
     */
    static final int CPU_CROSSOVER = 64;

    private final TorchScriptModule module;

    private FusedBlocks(TorchScriptModule module) {
        this.module = module;
    }

    /**
     * The module for a forward call over {@code positions} (B * T) positions on {@code device}, or null for the
     * explicit ops: by {@code path}; AUTO falls back to the explicit ops (one logged line) when the module
     * cannot be loaded, FUSED (and LAYER, for what its fused layer does not cover) fails with a clear error.
     */
    static FusedBlocks forCall(BlockPath path, Device device, int positions) {
        return forCall(path, device, positions, COMMITTED);
    }

    /** As {@link #forCall(BlockPath, Device, int)} with another archive (tests: a damaged one). */
    static FusedBlocks forCall(BlockPath path, Device device, int positions, TorchScriptModule.Archive archive) {
        return switch (path) {
            case EXPLICIT -> null;
            case FUSED, LAYER -> new FusedBlocks(TorchScriptModule.require(archive));
            case AUTO -> positions < crossover(device) ? null
                    : wrap(TorchScriptModule.orNull(archive, "the explicit blocks"));
        };
    }

    private static FusedBlocks wrap(TorchScriptModule module) {
        return module == null ? null : new FusedBlocks(module);
    }

    /** {@link #CPU_CROSSOVER} on a CPU; on a GPU always fused (fewer kernel launches; not measured here). */
    static int crossover(Device device) {
        return device.getDeviceType().equals(Device.Type.GPU) ? 1 : CPU_CROSSOVER;
    }

    /**
     * {@code weight} as an unnamed view for the module's arguments, made once at load: DJL reads an argument's
     * name as TorchScript structure (a name with a dot becomes a dict entry) and checkpoint weights are named
     * {@code model.layers.0...}. A view, so it follows in-place updates of the weight; it carries no gradient
     * to the weight, which is why a trainable model runs the explicit ops ({@link LoadedModel#setTrainable}).
     */
    static NDArray argument(NDArray weight) {
        if (weight == null) {
            return null;
        }
        NDArray view = weight.reshape(weight.getShape());
        view.setName(null);
        return view;
    }

    /** LlamaRMSNorm: weight * (x / sqrt(mean(x^2) + eps)) in float32, cast back; {@code eps} a 0-d float32 array. */
    NDArray rmsNorm(NDArray x, NDArray weight, NDArray eps) {
        return module.call("rms_norm", new NDList(x, weight, eps));
    }

    /** h + down(silu(gate n) * up n), n = rmsNorm(h, normWeight, eps): a Llama layer after attention. */
    NDArray rmsNormSwiGluResidual(NDArray h, NDArray normWeight, NDArray eps, NDArray gate, NDArray up, NDArray down) {
        return module.call("forward", new NDList(h, normWeight, eps, gate, up, down));
    }

    /** down(silu(gate x) * up x), the SwiGLU MLP alone (OLMo, whose norm is not RMSNorm). */
    NDArray swiGlu(NDArray x, NDArray gate, NDArray up, NDArray down) {
        return module.call("swiglu", new NDList(x, gate, up, down));
    }
}
