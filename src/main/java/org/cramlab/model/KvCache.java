package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Per-layer keys and values seen so far ([1, KV, S, hd] each, after RoPE where the model uses it),
 * kept in the state's own manager so each append frees the previous arrays.
 */
final class KvCache extends CachedState {

    private final NDArray[] keys;
    private final NDArray[] values;

    KvCache(NDManager parent, int layers) {
        super(parent);
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Appends this call's k, v for a layer and returns the full k, v (cached + new). */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray fullK = keys[layer] == null ? k.duplicate() : NDArrays.concat(new NDList(keys[layer], k), 2);
        NDArray fullV = values[layer] == null ? v.duplicate() : NDArrays.concat(new NDList(values[layer], v), 2);
        keys[layer] = replace(keys[layer], fullK);
        values[layer] = replace(values[layer], fullV);
        return new NDArray[] {fullK, fullV};
    }
}
