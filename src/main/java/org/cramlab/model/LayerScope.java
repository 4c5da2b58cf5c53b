package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One decoder layer's temporaries, freed when the layer is done, as PyTorch frees a tensor when its last
 * Python reference goes: without it every intermediate of every layer stayed in the step's manager until
 * the step ended, so a step's peak held the whole forward's intermediates next to the backward (1.7x
 * the PyTorch reference's peak at L = 2048). What autograd saved for the backward stays alive: closing a
 * DJL array only drops its reference to the tensor.
 *
 * <p>The layer's input is temporarily attached to a sub-manager of its own, so every op called on it
 * (and on what derives from it) lands there; {@link #keep} moves the layer's output back out. Numbers
 * multiplied in stay valid because {@link Layers#constant} makes them tensors that libtorch owns.
 */
final class LayerScope implements AutoCloseable {

    private final NDManager outer;
    private final NDManager scope;

    /** Opens a scope for the layer whose input is {@code h}. */
    LayerScope(NDArray h) {
        this.outer = h.getManager();
        this.scope = outer.newSubManager();
        h.tempAttach(scope); // returned to its manager, not closed, when the scope closes
    }

    /** The layer's output, moved to the enclosing (step) manager so it outlives the scope. */
    NDArray keep(NDArray out) {
        out.attach(outer);
        return out;
    }

    @Override
    public void close() {
        scope.close();
    }
}
