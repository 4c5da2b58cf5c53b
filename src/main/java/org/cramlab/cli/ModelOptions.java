package org.cramlab.cli;

import ai.djl.Device;
import java.nio.file.Path;
import org.cramlab.checkpoint.ModelDirectory;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.CramException;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LoadOptions;
import org.cramlab.model.Models;
import org.cramlab.train.DefaultModel;
import picocli.CommandLine.Option;

/** {@code --model/--device/--dtype}, shared by the commands that load a model. */
public final class ModelOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face model directory (config.json, model.safetensors, tokenizer.json);"
                    + " default: cramlab's embedded default model.")
    Path model;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu",
            description = "Device for weights and compute (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "float32|bfloat16",
            description = "Weight dtype (default: ${DEFAULT-VALUE}); memory and loss stay float32."
                    + " The paper used bfloat16 autocast for Llama-class models.")
    String dtype;

    /** The model directory: --model, else the embedded default model. */
    public Path directory() {
        if (model == null) {
            model = DefaultModel.directory();
        }
        return model;
    }

    /** Loads the model. */
    public CausalLM load() {
        return load(null);
    }

    /** Loads the model with {@code attention} (null: {@code CRAMLAB_ATTENTION}, else auto). */
    public CausalLM load(org.cramlab.model.AttentionPath attention) {
        Device d = switch (device) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> throw new CramException("--device must be cpu or gpu, got '" + device + "'");
        };
        return Models.load(directory(), LoadOptions.builder().optDevice(d).optDtype(dtype).optAttention(attention).build());
    }

    /** The model directory's tokenizer; fails naming the directory when it has none. */
    public TextTokenizer tokenizer() {
        ModelDirectory dir = new ModelDirectory(directory());
        if (!dir.hasTokenizer()) {
            throw new CramException("model directory " + model + " has no tokenizer.json: pass token ids with --ids");
        }
        return dir.tokenizer();
    }

    /** The tokenizer if the directory has one, else null. */
    public TextTokenizer tokenizerIfAny() {
        ModelDirectory dir = new ModelDirectory(directory());
        return dir.hasTokenizer() ? dir.tokenizer() : null;
    }
}
