package org.cramlab.model;

import java.util.Locale;

/**
 * How a model runs the blocks around attention (a Llama layer's post-attention RMSNorm + SwiGLU MLP +
 * residual, its other RMSNorms): as a dozen small libtorch ops each, or as one call each into a
 * TorchScript module ({@link FusedBlocks}) with torch's fused silu, which saves one [T, ff] tensor less
 * for the backward; or, where valid, a whole Llama decoder layer as one call ({@link FusedLayer}). Families
 * without such a module (GPT-2, GPT-NeoX, OPT, Mamba) run explicitly on every path.
 */
public enum BlockPath {

    /**
     * Per forward call, whichever is faster for its size (see {@link FusedLayer#CPU_CROSSOVER} and
     * {@link FusedBlocks#CPU_CROSSOVER}); the default.
     */
    AUTO,
    /** Always the explicit ops. */
    EXPLICIT,
    /** Always the fused module; fails with a clear error if it cannot be loaded. */
    FUSED,
    /**
     * The whole decoder layer as one call where it is valid (a plain causal forward: no cache, padding,
     * knockout or trainable weights; not OLMo), the fused blocks elsewhere; fails with a clear error if the
     * layer module cannot be loaded.
     */
    LAYER;

    /** Environment variable that sets the default path ({@code auto}, {@code explicit}, {@code fused} or {@code layer}). */
    public static final String ENV = "CRAMLAB_BLOCKS";

    /** Parses {@code auto}, {@code explicit}, {@code fused} or {@code layer} (any case). */
    public static BlockPath parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelException("fused-block path must be auto, explicit, fused or layer, got '" + name + "'");
        }
    }

    /** {@code CRAMLAB_BLOCKS}, or {@link #AUTO} when unset. */
    public static BlockPath fromEnvironment() {
        String value = System.getenv(ENV);
        try {
            return value == null || value.isBlank() ? AUTO : parse(value);
        } catch (ModelException e) {
            throw new ModelException(ENV + ": " + e.getMessage(), e);
        }
    }
}
