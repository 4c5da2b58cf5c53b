package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Run records keep their JSON: records written before the record was split into parts (a committed file
 * of real lines, two from a run folder and one from {@code cram --json}) read back with every field and
 * write out the same object again.
 */
class RunRecordFormatTest {
    static final Path OLD = Path.of("src/test/resources/records/format-2026-12-04.jsonl");

    @Test
    void oldRecordsReadBackWithEveryField() throws Exception {
        List<String> lines = Files.readAllLines(OLD);
        assertEquals(3, lines.size());
        for (String line : lines) {
            JsonObject old = JsonParser.parseString(line).getAsJsonObject();
            RunRecord r = RunRecord.fromJson(line);
            // every key of the old object, with its value, in what the record writes now (and no other key)
            assertEquals(old, JsonParser.parseString(r.toJson()).getAsJsonObject(), line);
        }

        RunRecord runner = RunRecord.fromJson(lines.get(1));
        assertEquals("6319bd7f39e03de9", runner.runId());
        assertEquals("book:3", runner.text().textId());
        assertEquals("book", runner.text().textSource());
        assertEquals("ids of book:3", runner.text().content());
        assertEquals(8, runner.text().length());
        assertEquals(8, runner.text().tokenIds().length);
        assertEquals(98, runner.text().tokenIds()[0]);
        assertEquals("golden-llama", runner.settings().modelId());
        assertEquals(2, runner.settings().nMem());
        assertEquals(5, runner.settings().seed());
        assertEquals(0.01, (Double) runner.settings().optimiser().get("lr"), 0);
        assertEquals("seeded N(0,1) * embedding std", runner.settings().optimiser().get("init"));
        assertEquals(runner.trajectory().steps(), runner.trajectory().losses().size());
        assertEquals(runner.trajectory().steps(), runner.trajectory().accuracies().size());
        assertTrue(List.of("solved", "patience", "max_steps").contains(runner.trajectory().stopReason()));
        assertEquals(runner.metrics().originalLoss() * 8, runner.metrics().originalCeNats(), 1e-9);
        assertEquals(runner.metrics().originalCeNats() - runner.metrics().bestCeNats(),
                runner.metrics().informationGainNats(), 1e-9);
        assertEquals(0, runner.metrics().greedyPrefixLength());
        assertEquals(64, runner.environment().hiddenSize());
        assertEquals(256, runner.environment().vocabSize());
        assertEquals("float32", runner.environment().dtype());
        assertEquals("cpu()", runner.environment().device());
        assertEquals("2.7.1", runner.environment().versions().get("pytorch"));
        assertEquals("memories/6319bd7f39e03de9.safetensors", runner.memoryFile());

        RunRecord cram = RunRecord.fromJson(lines.get(2)); // `cram --ids`: no text, no memory file
        assertEquals("ids", cram.text().textId());
        assertNull(cram.text().content());
        assertNull(cram.memoryFile());
        assertEquals("random", cram.settings().optimiser().get("init"));
    }

    @Test
    void missingAndUnknownKeysStillLoad() {
        // a record from a future version (an extra key) and one that lacks a key both load
        String line = "{\"run_id\":\"x\",\"length\":4,\"n_mem\":1,\"losses\":[1.0,NaN],\"a_future_key\":3,"
                + "\"settings\":{\"lr\":0.01}}";
        RunRecord r = RunRecord.fromJson(line);
        assertEquals("x", r.runId());
        assertEquals(4, r.text().length());
        assertTrue(Double.isNaN(r.trajectory().losses().get(1)), "a diverged run's NaN survives");
        assertNull(r.text().textId());
        assertNull(r.environment().versions());
        assertTrue(r.toJson().contains("NaN"));
        assertTrue(!r.toJson().contains("a_future_key"));
    }

    @Test
    void toBuilderKeepsEveryValue() throws Exception {
        for (String line : Files.readAllLines(OLD)) {
            RunRecord r = RunRecord.fromJson(line);
            assertEquals(r.toJson(), r.toBuilder().build().toJson());
            assertEquals("elsewhere.safetensors", r.withMemoryFile("elsewhere.safetensors").memoryFile());
            assertEquals(r.metrics(), r.withMemoryFile("m").metrics());
        }
        RunRecord b = RunRecord.builder().runId("r").length(10).nMem(4).versions(Map.of()).build();
        assertEquals(2.5, b.compressionRatio(), 0);
    }
}
