package org.cramlab.model;

import java.util.Locale;

/**
 * Which attention kernel a model uses: the explicit softmax(q k^T + mask) v, which materialises the
 * [B, H, T, S] scores (the reference, and faster for short sequences on a CPU), or PyTorch's fused
 * {@code scaled_dot_product_attention} through a TorchScript module ({@link FusedAttention}), whose
 * memory grows with T instead of T^2.
 */
public enum AttentionPath {

    /** Per forward call, whichever is faster for its length (see {@link AttentionPlanner}); the default. */
    AUTO,
    /** Always the explicit path. */
    EXPLICIT,
    /** Always the fused path; fails with a clear error if the TorchScript module cannot be loaded. */
    FUSED;

    /** Environment variable that sets the default path ({@code auto}, {@code explicit} or {@code fused}). */
    public static final String ENV = "CRAMLAB_ATTENTION";

    /**
     * The shortest sequence (keys, K + L in a cramming step) for which {@link #AUTO} takes the fused path
     * on {@code device}.
     */
    public static int autoCrossover(ai.djl.Device device) {
        return device.getDeviceType().equals(ai.djl.Device.Type.GPU) ? AttentionPlanner.GPU_CROSSOVER
                : AttentionPlanner.CPU_CROSSOVER;
    }

    /**
     * Why this JVM cannot load the fused module (then {@link #AUTO} runs the explicit path), or null when it can;
     * loads it on first use.
     */
    public static String fusedUnavailable() {
        try {
            FusedAttention.require();
            return null;
        } catch (ModelException e) {
            return e.getMessage();
        }
    }

    /** SHA-256 (hex) of the fused module this cramlab build carries. */
    public static String fusedModuleSha256() {
        return FusedAttention.ARCHIVE_SHA256;
    }

    /** Parses {@code auto}, {@code explicit} or {@code fused} (any case). */
    public static AttentionPath parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelException("attention path must be auto, explicit or fused, got '" + name + "'");
        }
    }

    /** {@code CRAMLAB_ATTENTION}, or {@link #AUTO} when unset. */
    public static AttentionPath fromEnvironment() {
        String value = System.getenv(ENV);
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return parse(value);
        } catch (ModelException e) {
            throw new ModelException(ENV + ": " + e.getMessage(), e);
        }
    }
}
