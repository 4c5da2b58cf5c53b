package org.cramlab.cli;

import java.nio.file.Path;
import org.cramlab.train.DefaultModel;
import picocli.CommandLine.Option;

/** {@code --model DIR}: which model a command reads (loads, or takes the tokenizer of). */
public final class ModelOption {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face model directory (config.json, model.safetensors, tokenizer.json);"
                    + " default: cramlab's embedded default model.")
    Path model;

    /** The model directory: --model, else the embedded default model. */
    public Path directory() {
        return model != null ? model : DefaultModel.directory();
    }
}
