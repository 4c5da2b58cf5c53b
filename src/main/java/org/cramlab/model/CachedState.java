package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What every decoding state shares (a {@link KvCache}, Mamba's conv and SSM states): arrays held in
 * the state's own manager, so each update frees what it replaces, and the positions consumed so far.
 */
abstract class CachedState implements CausalLM.DecodeState {

    private final NDManager manager;
    private int length;

    CachedState(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** {@code fresh}, now owned by the state, replacing {@code old} (freed; may be null). */
    NDArray replace(NDArray old, NDArray fresh) {
        fresh.attach(manager);
        if (old != null) {
            old.close();
        }
        return fresh;
    }

    /** Called by the model after all layers consumed {@code t} new positions. */
    void advance(int t) {
        length += t;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void close() {
        manager.close();
    }
}
