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
    private final NDList loaded;

    /** Loads {@code file}'s tensors into {@code manager} as {@code dtype}. */
    Weights(Safetensors file, NDManager manager, DataType dtype) {
        this(file, manager, dtype, "", new NDList());
    }

    private Weights(Safetensors file, NDManager manager, DataType dtype, String prefix, NDList loaded) {
        this.file = file;
        this.manager = manager;
        this.dtype = dtype;
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
            if (file.contains(p + probe)) {
                return new Weights(file, manager, dtype, p, loaded);
            }
        }
        return new Weights(file, manager, dtype, prefixes[0], loaded);
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
