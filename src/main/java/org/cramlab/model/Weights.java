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
 *
 * <p>Without a checkpoint ({@link #random}) the same loader code initialises a fresh model as
 * transformers does: normal(0, std) for matrices, ones for norm weights, zeros for biases, and no
 * optional tensors. One code path for loading and initialising keeps names and shapes in one place.
 */
final class Weights {

    private final Safetensors file; // null: random initialisation
    private final NDManager manager;
    private final DataType dtype;
    private final float std;
    private final String prefix;
    private final NDList loaded;

    /** Loads {@code file}'s tensors into {@code manager} as {@code dtype}. */
    Weights(Safetensors file, NDManager manager, DataType dtype) {
        this(file, manager, dtype, 0f, "", new NDList());
    }

    /** Random initialisation with normal(0, std) matrices (seed the engine first). */
    static Weights random(NDManager manager, DataType dtype, float std) {
        return new Weights(null, manager, dtype, std, "", new NDList());
    }

    private Weights(Safetensors file, NDManager manager, DataType dtype, float std, String prefix, NDList loaded) {
        this.file = file;
        this.manager = manager;
        this.dtype = dtype;
        this.std = std;
        this.prefix = prefix;
        this.loaded = loaded;
    }

    /**
     * A view that prepends the first of {@code prefixes} under which {@code probe} exists (Hub
     * checkpoints of GPT-2 or OPT may lack the "transformer."/"model." prefix); records into the same
     * parameter list. Falls back to the first prefix so the missing-tensor error names the usual name.
     */
    Weights withPrefixOf(String probe, String... prefixes) {
        for (String p : prefixes) {
            if (file != null && file.contains(p + probe)) {
                return new Weights(file, manager, dtype, std, p, loaded);
            }
        }
        return new Weights(file, manager, dtype, std, prefixes[0], loaded);
    }

    /** A required tensor of the given shape. */
    NDArray get(String name, long... shape) {
        String full = prefix + name;
        NDArray a = file == null ? init(full, new Shape(shape)) : read(full, new Shape(shape));
        loaded.add(a);
        return a;
    }

    private NDArray read(String full, Shape shape) {
        if (!file.contains(full)) {
            throw new CheckpointException(
                    "tensor " + full + " " + shape + " missing from " + file.files() + " (required by config.json)");
        }
        Shape got = file.info(full).shape();
        if (!got.equals(shape)) {
            throw new CheckpointException(
                    file.info(full).file() + ": tensor " + full + " has shape " + got + ", expected " + shape
                            + " from config.json");
        }
        return file.load(full, manager, dtype);
    }

    private NDArray init(String full, Shape shape) {
        DataType storage = Safetensors.storageType(dtype);
        NDArray a;
        if (full.endsWith(".bias")) {
            a = manager.zeros(shape, storage);
        } else if (shape.dimension() == 1) { // norm weights
            a = manager.ones(shape, storage);
        } else {
            try (NDArray r = manager.randomNormal(0f, std, shape, DataType.FLOAT32)) {
                a = r.toType(storage, true);
            }
        }
        a.setName(full);
        return a;
    }

    /** An optional tensor (e.g. a bias), null when the checkpoint lacks it (always null when initialising). */
    NDArray opt(String name, long... shape) {
        return has(name) ? get(name, shape) : null;
    }

    /** Whether the checkpoint holds {@code name} (with the prefix). */
    boolean has(String name) {
        return file != null && file.contains(prefix + name);
    }

    /** Everything loaded so far, named by checkpoint name. */
    NDList parameters() {
        return loaded;
    }
}
