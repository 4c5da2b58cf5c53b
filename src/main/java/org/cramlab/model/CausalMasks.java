package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * The causal mask without padding, built once on the model's manager and sliced per forward call
 * (one op instead of the ~7 that build it), like {@link Rotary}'s tables: grown by doubling when a
 * longer sequence arrives. Tables are kept up to {@link #MAX_CACHED} positions (16 MiB of float32);
 * longer sequences build their mask per call.
 */
final class CausalMasks {

    /** Longest sequence whose mask is cached: a [n, n] float32 table is 4 n^2 bytes. */
    static final int MAX_CACHED = 2048;

    private final NDManager manager;
    private final int cap;
    private NDArray table; // [1, 1, n, n] additive float32, Attention.causalMask's values

    CausalMasks(NDManager manager, int maxPositions) {
        this.manager = manager;
        this.cap = Math.min(maxPositions, MAX_CACHED);
    }

    /**
     * Additive float32 mask [1, 1, T, S] for T new queries after {@code past} cached positions
     * (S = past + T), owned by {@code local}; the same values as {@link Attention#causalMask} with no
     * key mask.
     */
    NDArray get(int past, int t, NDManager local) {
        int s = past + t;
        if (s > cap) {
            return Attention.causalMask(local, 1, t, past, null);
        }
        NDArray slice;
        synchronized (this) {
            ensure(s);
            slice = table.get(new NDIndex("..., {}:{}, :{}", past, s, s));
        }
        slice.attach(local);
        return slice;
    }

    private void ensure(int n) {
        if (table != null && table.getShape().get(2) >= n) {
            return;
        }
        int len = Math.max(n, Math.min(cap, table == null ? 64 : (int) table.getShape().get(2) * 2));
        if (table != null) {
            table.close();
        }
        try (NDManager tmp = manager.newSubManager()) {
            table = Attention.causalMask(tmp, 1, len, 0, null);
            table.attach(manager);
        }
    }
}
