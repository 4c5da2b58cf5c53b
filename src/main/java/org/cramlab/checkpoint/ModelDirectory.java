package org.cramlab.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local model directory in Hugging Face layout: {@code config.json}, {@code model.safetensors} or
 * shards with {@code model.safetensors.index.json}, optionally {@code tokenizer.json}.
 *
 * @param dir the directory
 */
public record ModelDirectory(Path dir) {

    /** Checks that {@code dir} is a directory with a {@code config.json}. */
    public ModelDirectory {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException("model directory " + dir + " does not exist or is not a directory");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new CheckpointException(
                    "missing " + dir.resolve("config.json") + ": a Hugging Face model directory needs config.json");
        }
    }

    /** The parsed {@code config.json}. */
    public HfConfig config() {
        return HfConfig.read(dir);
    }

    /** Opens the weights (single file or shards); close it after loading. */
    public Safetensors openWeights() {
        return Safetensors.openDirectory(dir);
    }

    /** Whether the directory ships a {@code tokenizer.json}. */
    public boolean hasTokenizer() {
        return Files.isRegularFile(dir.resolve("tokenizer.json"));
    }

    /** Loads the directory's tokenizer. */
    public TextTokenizer tokenizer() {
        return TextTokenizer.load(dir);
    }

    /** The directory name, used as a default model id. */
    public String name() {
        return dir.toAbsolutePath().normalize().getFileName().toString();
    }
}
