package org.cramlab.cli;

import java.nio.file.Path;
import org.cramlab.checkpoint.ModelDirectory;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.CramException;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import picocli.CommandLine.Mixin;

/** {@code --model/--device/--dtype}, shared by the commands that load a model. */
public final class ModelOptions {

    @Mixin
    ModelOption model;

    @Mixin
    DeviceOptions device;

    /** The model directory: --model, else the embedded default model. */
    public Path directory() {
        return model.directory();
    }

    /** Loads the model. */
    public CausalLM load() {
        return load(null);
    }

    /** Loads the model with {@code attention} (null: {@code CRAMLAB_ATTENTION}, else auto). */
    public CausalLM load(org.cramlab.model.AttentionPath attention) {
        return Models.load(directory(), device.loadOptions(attention));
    }

    /** The model directory's tokenizer; fails naming the directory when it has none. */
    public TextTokenizer tokenizer() {
        ModelDirectory dir = new ModelDirectory(directory());
        if (!dir.hasTokenizer()) {
            throw new CramException("model directory " + directory() + " has no tokenizer.json: pass token ids with --ids");
        }
        return dir.tokenizer();
    }

    /** The tokenizer if the directory has one, else null. */
    public TextTokenizer tokenizerIfAny() {
        ModelDirectory dir = new ModelDirectory(directory());
        return dir.hasTokenizer() ? dir.tokenizer() : null;
    }
}
