package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Picks the attention path of one forward call ({@link AttentionPath}) and builds only the mask that
 * path needs: the cached additive causal mask (or one with padding) for the explicit path; nothing
 * (sdpa's is_causal, or no mask for one decoded token) or a boolean mask for the fused path. sdpa
 * refuses is_causal together with a mask, so with padding (or a cache and several new tokens) the
 * causal and padding masks are combined into one.
 */
final class AttentionPlanner {

    /**
     * Shortest key length S (K + L in a cramming step) for which {@link AttentionPath#AUTO} takes the
     * fused path on a CPU: below it the explicit path's few small matmuls beat the TorchScript call.
     * Measured on the default model's whole step, fused / explicit time at one thread: 1.02 at S = 257,
     * 0.83 at 385, 0.75 at 513 (environment/bench/RESULTS.md, "Fused attention").
     */
    static final int CPU_CROSSOVER = 384;

    /**
     * The same on a GPU: the fused kernels win at every length there (and save the T^2 memory); not
     * measured here (no GPU), set by design.
     */
    static final int GPU_CROSSOVER = 1;

    private final AttentionPath path;
    private final CausalMasks masks;
    private final int crossover;
    private final FusedAttention.Archive archive;

    AttentionPlanner(AttentionPath path, NDManager manager, int maxPositions) {
        this(path, manager, maxPositions, FusedAttention.COMMITTED);
    }

    /** With another archive (tests: a damaged one must fall back or fail clearly). */
    AttentionPlanner(AttentionPath path, NDManager manager, int maxPositions, FusedAttention.Archive archive) {
        this.path = path;
        this.archive = archive;
        this.masks = new CausalMasks(manager, maxPositions);
        this.crossover = AttentionPath.autoCrossover(manager.getDevice());
    }

    /** The configured path. */
    AttentionPath path() {
        return path;
    }

    /** Whether a call with {@code s} keys takes the fused path (when the module is available). */
    boolean prefersFused(int s) {
        return switch (path) {
            case EXPLICIT -> false;
            case FUSED -> true;
            case AUTO -> s >= crossover;
        };
    }

    /**
     * The plan for T new queries after {@code past} cached positions.
     *
     * @param keyMask [B, S] 0/1 real-token mask when some row is right-padded, else null
     */
    Attention.Plan plan(NDManager m, int batch, int t, int past, NDArray keyMask) {
        FusedAttention fused = !prefersFused(past + t) ? null
                : path == AttentionPath.FUSED ? FusedAttention.require(archive) : FusedAttention.orNull(archive);
        if (fused == null) {
            // without padding the mask is the same for every row and call: sliced from a cached table
            return Attention.Plan.explicit(keyMask == null ? masks.get(past, t, m)
                    : Attention.causalMask(m, batch, t, past, keyMask));
        }
        if (keyMask == null && past == 0) {
            return Attention.Plan.fused(fused, FusedAttention.Kind.CAUSAL, null);
        }
        if (keyMask == null && t == 1) {
            return Attention.Plan.fused(fused, FusedAttention.Kind.FULL, null);
        }
        return Attention.Plan.fused(fused, FusedAttention.Kind.MASKED, Attention.allowed(m, batch, t, past, keyMask));
    }
}
