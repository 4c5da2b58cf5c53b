package org.cramlab.model;

import java.util.Locale;

/**
 * How a model runs the blocks around attention (a Llama layer's post-attention RMSNorm + SwiGLU MLP +
 * residual, its other RMSNorms): as a dozen small libtorch ops each, or as one call each into a
 * TorchScript module ({@link FusedBlocks}) with torch's fused silu, which saves one [T, ff] tensor less
 * for the backward. Families without such a module (GPT-2, GPT-NeoX, OPT, Mamba) run explicitly on
 * every path.
 */
public enum BlockPath {

    /** Per forward call, whichever is faster for its size (see {@link FusedBlocks#CPU_CROSSOVER}); the default. */
    AUTO,
    /** Always the explicit ops. */
    EXPLICIT,
    /** Always the fused module; fails with a clear error if it cannot be loaded. */
    FUSED;

    /** Environment variable that sets the default path ({@code auto}, {@code explicit} or {@code fused}). */
    public static final String ENV = "CRAMLAB_BLOCKS";

    /** Parses {@code auto}, {@code explicit} or {@code fused} (any case). */
    public static BlockPath parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelException("fused-block path must be auto, explicit or fused, got '" + name + "'");
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
