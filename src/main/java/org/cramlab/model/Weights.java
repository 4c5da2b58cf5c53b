package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cramlab.checkpoint.CheckpointException;
import org.cramlab.checkpoint.Safetensors;

/**
 * Loads a model's tensors by checkpoint name into the model's manager, checking each shape against
 * what the config implies, and records them as the model's parameters.
 */
final class Weights {

    private final Safetensors file;
    private final NDManager manager;
    private final DataType dtype;
    private final String prefix;
    private final NDList loaded = new NDList();

    /**
     * @param prefix prepended to every name (e.g. "" or "transformer." for GPT-2 checkpoints with or
     *     without the prefix)
     */
    Weights(Safetensors file, NDManager manager, DataType dtype, String prefix) {
        this.file = file;
        this.manager = manager;
        this.dtype = dtype;
        this.prefix = prefix;
    }

    /** A required tensor of the given shape. */
    NDArray get(String name, long... shape) {
        String full = prefix + name;
        if (!file.contains(full)) {
            throw new CheckpointException(
                    "tensor " + full + " " + new Shape(shape) + " missing from " + file.files()
                            + " (required by config.json)");
        }
        Shape got = file.info(full).shape();
        if (!got.equals(new Shape(shape))) {
            throw new CheckpointException(
                    file.info(full).file() + ": tensor " + full + " has shape " + got + ", expected "
                            + new Shape(shape) + " from config.json");
        }
        NDArray a = file.load(full, manager, dtype);
        loaded.add(a);
        return a;
    }

    /** An optional tensor (e.g. a bias), null when the checkpoint lacks it. */
    NDArray opt(String name, long... shape) {
        return file.contains(prefix + name) ? get(name, shape) : null;
    }

    /** Whether the checkpoint holds {@code name} (with the prefix). */
    boolean has(String name) {
        return file.contains(prefix + name);
    }

    /** Everything loaded so far, named by checkpoint name. */
    NDList parameters() {
        return loaded;
    }
}
