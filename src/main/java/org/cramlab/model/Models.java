package org.cramlab.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.cramlab.checkpoint.CheckpointException;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.checkpoint.ModelDirectory;
import org.cramlab.checkpoint.Safetensors;

/** Loads a Hugging Face model directory into the {@link CausalLM} for its {@code model_type}. */
public final class Models {

    private static final Map<String, Function<Source, CausalLM>> FAMILIES = new TreeMap<>(Map.of(
            "llama", Llama::load,
            "olmo", Olmo::load,
            "gpt_neox", GptNeoX::load,
            "gpt2", Gpt2::load,
            "opt", Opt::load));

    private Models() {}

    /** The supported {@code model_type} values. */
    public static java.util.Set<String> supportedTypes() {
        return FAMILIES.keySet();
    }

    /** Loads with default options (float32, default device). */
    public static CausalLM load(Path dir) {
        return load(dir, LoadOptions.defaults());
    }

    /**
     * Loads {@code dir} (config.json + model.safetensors or shards with their index). Weights are
     * memory-mapped and converted tensor by tensor into the model's own manager.
     */
    public static CausalLM load(Path dir, LoadOptions options) {
        ModelDirectory md = new ModelDirectory(dir);
        HfConfig cfg = md.config();
        String type = cfg.modelType();
        Function<Source, CausalLM> family = FAMILIES.get(type);
        if (family == null) {
            throw new CheckpointException(
                    cfg.file() + ": model_type '" + type + "' is not supported, supported: " + FAMILIES.keySet());
        }
        DataType storage = Safetensors.storageType(options.dtype());
        NDManager manager = options.device() == null
                ? NDManager.newBaseManager()
                : NDManager.newBaseManager(options.device());
        try (Safetensors st = md.openWeights()) {
            Weights w = new Weights(st, manager, options.dtype());
            String id = options.modelId() == null ? md.name() : options.modelId();
            return family.apply(new Source(cfg, w, manager, options.dtype(), storage, id));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
