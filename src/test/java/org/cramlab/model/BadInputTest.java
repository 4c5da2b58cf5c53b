package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.cramlab.checkpoint.CheckpointException;
import org.cramlab.checkpoint.Safetensors;
import org.cramlab.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad model input fails with a CheckpointException naming the file/tensor/field. */
class BadInputTest {

    @TempDir Path tmp;

    /** A copy of the golden llama case with config.json edited by {@code edit}. */
    private Path llamaWith(Consumer<JsonObject> edit) throws IOException {
        Path src = Golden.dir("llama");
        Path dir = Files.createDirectories(tmp.resolve("llama"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        JsonObject cfg = JsonParser.parseString(Files.readString(src.resolve("config.json"))).getAsJsonObject();
        edit.accept(cfg);
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        return dir;
    }

    private static String loadError(Path dir) {
        return assertThrows(CheckpointException.class, () -> Models.load(dir).close()).getMessage();
    }

    private static void assertMentions(String msg, String... parts) {
        for (String p : parts) {
            assertTrue(msg.contains(p), "message should mention '" + p + "': " + msg);
        }
    }

    @Test
    void missingConfig() {
        assertMentions(loadError(tmp), "config.json");
    }

    @Test
    void missingWeights() throws IOException {
        Files.copy(Golden.dir("llama").resolve("config.json"), tmp.resolve("config.json"));
        assertMentions(loadError(tmp), "model.safetensors", "model.safetensors.index.json");
    }

    @Test
    void truncatedWeights() throws IOException {
        Path dir = llamaWith(c -> {});
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
            f.setLength(f.length() / 2); // header intact, data cut: offsets point outside the file
        }
        assertMentions(loadError(dir), "model.safetensors", "data_offsets", "outside");
    }

    @Test
    void garbageHeader() throws IOException {
        Path dir = llamaWith(c -> {});
        Files.write(dir.resolve("model.safetensors"), new byte[] {16, 0, 0, 0, 0, 0, 0, 0, '{', '"', 'a', 'b'});
        assertMentions(loadError(dir), "model.safetensors", "header");
    }

    @Test
    void missingTensor() throws IOException {
        Path dir = llamaWith(c -> {});
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> kept = new LinkedHashMap<>();
            try (Safetensors st = Safetensors.open(dir.resolve("model.safetensors"))) {
                for (String n : st.names()) {
                    if (!n.equals("model.layers.1.mlp.up_proj.weight")) {
                        kept.put(n, st.load(n, m));
                    }
                }
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), kept);
        }
        assertMentions(loadError(dir), "model.layers.1.mlp.up_proj.weight", "missing", "(128, 64)");
    }

    @Test
    void tensorShapeDisagreesWithConfig() throws IOException {
        Path dir = llamaWith(c -> c.addProperty("intermediate_size", 96));
        assertMentions(loadError(dir), "model.layers.0.mlp.gate_proj.weight", "(128, 64)", "expected (96, 64)");
    }

    @Test
    void missingRequiredField() throws IOException {
        Path dir = llamaWith(c -> c.remove("num_hidden_layers"));
        assertMentions(loadError(dir), "config.json", "num_hidden_layers");
    }

    @Test
    void fieldOfWrongType() throws IOException {
        Path dir = llamaWith(c -> c.addProperty("hidden_size", "sixty-four"));
        assertMentions(loadError(dir), "config.json", "hidden_size", "integer");
    }

    @Test
    void unsupportedRopeScaling() throws IOException {
        Path dir = llamaWith(c -> c.getAsJsonObject("rope_scaling").addProperty("rope_type", "yarn"));
        assertMentions(loadError(dir), "config.json", "rope_scaling.rope_type", "yarn", "llama3");
    }

    @Test
    void unknownModelType() throws IOException {
        Path dir = llamaWith(c -> c.addProperty("model_type", "mamba"));
        assertMentions(loadError(dir), "mamba", "llama", "gpt_neox", "gpt2", "opt", "olmo");
    }

    @Test
    void unsupportedWeightDtype() {
        String msg = assertThrows(CheckpointException.class, () -> LoadOptions.builder().optDtype("int8")).getMessage();
        assertMentions(msg, "int8", "float32", "bfloat16", "float16");
    }

    @Test
    void sequenceLongerThanPositions() {
        try (CausalLM model = Models.load(Golden.dir("gpt2")); NDManager m = NDManager.newBaseManager()) {
            int max = model.info().maxPositions();
            NDArray x = m.zeros(new Shape(1, max + 1, model.info().hiddenSize()));
            String msg = assertThrows(ModelException.class, () -> model.forward(x, null)).getMessage();
            assertMentions(msg, String.valueOf(max + 1), String.valueOf(max), "max_position_embeddings");
            // the longest allowed sequence works
            model.forward(m.zeros(new Shape(1, max, model.info().hiddenSize())), null);
        }
    }

    @Test
    void wrongEmbeddingWidth() {
        try (CausalLM model = Models.load(Golden.dir("gpt2")); NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 3, model.info().hiddenSize() + 1));
            assertThrows(IllegalArgumentException.class, () -> model.forward(x, null));
        }
    }
}
