package org.cramlab.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A whole Llama (or GPT-NeoX) decoder layer as one TorchScript call (module written by {@code src/main/python/make_fused_layer.py}
 * in the sid tree's torch, committed as a resource, SHA-256 checked): input RMSNorm, q/k/v projections, rotary,
 * causal sdpa, o projection, residual, post-attention RMSNorm, SwiGLU with torch's fused silu, residual. One JNI
 * call per layer instead of ~25, which is most of a short step's cost at small shapes.
 *
 * <p>Valid only for a plain causal forward over T == S positions: no KV cache, no padding mask, no knocked-out
 * layer, untrainable weights (the module gets weight views without a gradient, as {@link FusedBlocks}), Llama's
 * RMSNorm (not OLMo, whose norm and clip_qkv differ); GPT-NeoX with exact GELU and attention biases (Pythia). The attention inside is always sdpa: where the explicit
 * attention path would have run, the results differ by float rounding only (the golden tolerances).
 */
final class FusedLayer {

    /** The archive on the classpath. */
    static final String ARCHIVE = "/cramlab/layer/fused_layer.pt";

    /** SHA-256 of the committed archive (printed by the generator); checked before loading. */
    static final String ARCHIVE_SHA256 = "73ba0d5c2f0102ca0ca748eff70c1d20fc62f9a7f99686a732fe272b7627c83e";

    /** The committed archive. */
    static final TorchScriptModule.Archive COMMITTED = new TorchScriptModule.Archive(ARCHIVE, ARCHIVE_SHA256,
            "fused-layer", "src/main/python/make_fused_layer.py");

    /**
     * Fewest positions (B * T of one forward call) for which {@link BlockPath#AUTO} takes the fused layer on a
     * CPU (below it, the fused blocks' or the explicit ops' rules apply): every call. Measured with {@code bench
     * paths} on the default model, one thread, paired step time layer / explicit blocks: 0.99 at T = 17, 0.97 at
     * 65, 0.91 at 257 (fused blocks 1.08, 0.95, 0.99 in the same rounds); at no length slower than the other
     * paths beyond the machine's noise (docs/benchmarks.md, "Fused layer").
     */
    static final int CPU_CROSSOVER = 1;

    /** Module calls made in this JVM (tests check that the path is taken). */
    private static final AtomicLong CALLS = new AtomicLong();

    private final TorchScriptModule module;

    private FusedLayer(TorchScriptModule module) {
        this.module = module;
    }

    /**
     * The module for a plain causal forward call over {@code positions} (B * T) positions on {@code device}, or
     * null for the per-block paths: LAYER always (a clear error when it cannot be loaded), AUTO from the
     * cross-over (falling back with one logged line when it cannot be loaded), EXPLICIT and FUSED never.
     */
    static FusedLayer forCall(BlockPath path, Device device, int positions) {
        return forCall(path, device, positions, COMMITTED);
    }

    /** As {@link #forCall(BlockPath, Device, int)} with another archive (tests: a damaged one). */
    static FusedLayer forCall(BlockPath path, Device device, int positions, TorchScriptModule.Archive archive) {
        return switch (path) {
            case EXPLICIT, FUSED -> null;
            case LAYER -> new FusedLayer(TorchScriptModule.require(archive));
            case AUTO -> positions < crossover(device) ? null : wrap(TorchScriptModule.orNull(archive, "the per-block paths"));
        };
    }

    private static FusedLayer wrap(TorchScriptModule module) {
        return module == null ? null : new FusedLayer(module);
    }

    /** {@link #CPU_CROSSOVER} on a CPU; on a GPU always (fewer kernel launches; not measured here). */
    static int crossover(Device device) {
        return device.getDeviceType().equals(Device.Type.GPU) ? 1 : CPU_CROSSOVER;
    }

    /** Module calls made so far in this JVM. */
    static long calls() {
        return CALLS.get();
    }

    /**
     * One decoder layer: h [B, T, d] in, the layer's output out (h's manager and dtype).
     *
     * @param w the layer's weights as unnamed argument views ({@link FusedBlocks#argument}); biases all null or
     *     all present
     * @param rope this call's rotary angles
     * @param constants eps, scale and the head counts as arrays
     */
    NDArray forward(NDArray h, Llama.Layer w, Rotary.Angles rope, Constants constants) {
        CALLS.incrementAndGet();
        NDArray[] tail = {w.postNorm(), w.gate(), w.up(), w.down(), rope.cos(), rope.sinSigned(), constants.eps(),
            constants.scale(), constants.heads()};
        NDList in = w.bq() == null ? new NDList(h, w.inputNorm(), w.wq(), w.wk(), w.wv(), w.wo())
                : new NDList(h, w.inputNorm(), w.wq(), w.bq(), w.wk(), w.bk(), w.wv(), w.bv(), w.wo(), w.bo());
        for (NDArray a : tail) {
            in.add(a);
        }
        return module.call(w.bq() == null ? "forward" : "biased", in);
    }

    /**
     * One GPT-NeoX decoder layer (LayerNorm, per-head fused q/k/v, partial rotary, exact GELU, parallel or sequential
     * residual): h [B, T, d] in, the layer's output out.
     *
     * @param w the layer's weights as unnamed argument views, biases present
     */
    NDArray neox(NDArray h, GptNeoX.Layer w, Rotary.Angles rope, Constants constants, boolean parallel) {
        CALLS.incrementAndGet();
        NDList in = new NDList(h, w.ln1w(), w.ln1b(), w.qkvW(), w.qkvB(), w.denseW(), w.denseB(), w.ln2w(), w.ln2b(),
                w.upW(), w.upB(), w.downW(), w.downB(), rope.cos(), rope.sinSigned(), constants.eps(), constants.scale(),
                constants.heads());
        return module.call(parallel ? "neox_parallel" : "neox_sequential", in);
    }

    /**
     * A model's per-call constants as arrays libtorch owns (the module takes arrays only).
     *
     * @param eps rms_norm_eps (GPT-NeoX: layer_norm_eps), 0-d float32
     * @param scale the softmax scale 1 / sqrt(head_dim), 0-d float32
     * @param heads [attention heads, key/value heads], int64
     */
    record Constants(NDArray eps, NDArray scale, NDArray heads) {}
}
