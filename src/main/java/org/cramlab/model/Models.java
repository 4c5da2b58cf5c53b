package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.cramlab.checkpoint.CheckpointException;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.checkpoint.ModelDirectory;
import org.cramlab.checkpoint.Safetensors;
import org.cramlab.checkpoint.SafetensorsWriter;

/** Loads a Hugging Face model directory into the {@link CausalLM} for its {@code model_type}. */
public final class Models {

    private static final Map<String, Function<Source, CausalLM>> FAMILIES = new TreeMap<>(Map.of(
            "llama", Llama::load,
            "olmo", Olmo::load,
            "gpt_neox", GptNeoX::load,
            "gpt2", Gpt2::load,
            "opt", Opt::load,
            "mamba", Mamba::load));

    private Models() {}

    /** The supported {@code model_type} values. */
    public static Set<String> supportedTypes() {
        return FAMILIES.keySet();
    }

    /**
     * A fresh model with random weights for {@code config} (normal(0, {@code initializer_range},
     * default 0.02) matrices, unit norms, no biases), seeded through the engine, e.g. to train a
     * small model from scratch with {@link CausalLM#setTrainable}. {@link #save} writes it in
     * Hugging Face layout.
     */
    public static CausalLM initialize(HfConfig config, LoadOptions options, long seed) {
        Function<Source, CausalLM> family = family(config);
        NDManager manager = newManager(options);
        try {
            manager.getEngine().setRandomSeed((int) seed);
            float std = (float) config.optDouble("initializer_range", 0.02);
            Weights w = Weights.random(manager, options.dtype(), std);
            String id = options.modelId() == null ? "random-" + config.modelType() : options.modelId();
            return family.apply(new Source(config, w, manager, options.dtype(),
                    Safetensors.storageType(options.dtype()), id, options.attention(), options.blocks()));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} (the model's parameters under their
     * checkpoint names) into {@code dir}, so that {@link #load} reads the model back.
     *
     * @param bf16 store floating weights as BF16 (half the size), else in their dtype
     */
    public static void save(CausalLM model, HfConfig config, Path dir, boolean bf16) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (NDArray p : model.parameters()) {
            tensors.put(p.getName(), p);
        }
        try {
            Files.createDirectories(dir);
            JsonObject json = config.json();
            json.addProperty("torch_dtype", bf16 ? "bfloat16" : model.info().dtype());
            Files.writeString(dir.resolve("config.json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(json));
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + dir.resolve("config.json") + ": " + e, e);
        }
        SafetensorsWriter.write(
                dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"), bf16);
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
        Function<Source, CausalLM> family = family(cfg);
        DataType storage = Safetensors.storageType(options.dtype());
        NDManager manager = newManager(options);
        try (Safetensors st = md.openWeights()) {
            Weights w = new Weights(st, manager, options.dtype());
            String id = options.modelId() == null ? md.name() : options.modelId();
            return family.apply(new Source(cfg, w, manager, options.dtype(), storage, id, options.attention(),
                    options.blocks()));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Function<Source, CausalLM> family(HfConfig cfg) {
        String type = cfg.modelType();
        Function<Source, CausalLM> family = FAMILIES.get(type);
        if (family == null) {
            throw new CheckpointException(
                    cfg.file() + ": model_type '" + type + "' is not supported, supported: " + FAMILIES.keySet());
        }
        return family;
    }

    private static NDManager newManager(LoadOptions options) {
        TorchThreads.configureFromEnvironment(); // before the engine starts (see TorchThreads)
        requireDevice(options.device());
        return options.device() == null ? NDManager.newBaseManager() : NDManager.newBaseManager(options.device());
    }

    /**
     * A GPU device needs a CUDA build of libtorch and a visible GPU; without them PyTorch fails deep inside
     * with a long native trace, so say it in one line first.
     */
    static void requireDevice(ai.djl.Device device) {
        if (device == null || !device.isGpu()) return;
        ai.djl.engine.Engine engine = ai.djl.engine.Engine.getEngine("PyTorch");
        boolean cudaBuild = engine.hasCapability(ai.djl.engine.StandardCapabilities.CUDA);
        int gpus = cudaBuild ? engine.getGpuCount() : 0;
        if (gpus <= device.getDeviceId()) {
            throw new ModelException("device " + device + " requested, but " + (cudaBuild
                    ? "PyTorch sees " + gpus + " CUDA GPU(s)"
                    : "no GPU/CUDA build of PyTorch was found (this build bundles the CPU libtorch, pytorch-native-cpu)")
                    + ": use --device cpu, or on a machine with an NVIDIA GPU and driver build with `mvn package -Dgpu`"
                    + " (docs/gpu.md)");
        }
    }
}
