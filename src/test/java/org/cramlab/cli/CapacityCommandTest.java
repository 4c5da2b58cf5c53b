package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.cramlab.cram.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capacity} end to end on the tiny golden Llama with the golden llama-style tokenizer (texts
 * chosen so that every id is below the model's 256), writing records, memories and a summary.
 */
class CapacityCommandTest {

    static Path modelWithTokenizer(Path dir) throws Exception {
        Path llama = Paths.get(CramCommandTest.llama());
        Path tok = llama.resolveSibling("tokenizers").resolve("llama_style");
        Path model = dir.resolve("tiny");
        Files.createDirectories(model);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(llama.resolve(f), model.resolve(f));
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(tok.resolve(f), model.resolve(f));
        }
        return model;
    }

    @Test
    void writesRecordsMemoriesAndSummary(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        // paper chunk format: the second half of each chunk's sentences is compressed
        Path csv = dir.resolve("chunks.csv");
        Files.writeString(csv, "id,text\n0,\"QZXJ KWVQ. 1234567890. 0987654321.\"\n1,\"zqxj. QZXJ QZXJ. 5555 6666.\"\n");
        Path out = dir.resolve("out");
        CramCommandTest.Outcome o = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", csv.toString(),
                "--lengths", "2,4,300", "--steps", "5", "--out", out.toString(), "--no-greedy");
        assertEquals(0, o.code(), o.err());
        List<String> lines = Files.readAllLines(out.resolve("records.jsonl"));
        assertEquals(4, lines.size(), "2 texts x lengths 2, 4 (300 + K exceeds 256 positions)");
        for (String line : lines) {
            RunRecord r = RunRecord.fromJson(line);
            assertTrue(r.text().length() == 2 || r.text().length() == 4);
            assertTrue(Files.isRegularFile(out.resolve(r.memoryFile())), r.memoryFile());
            assertTrue(r.text().textId().startsWith("chunks:"), r.text().textId());
        }
        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        JsonObject result = summary.getAsJsonObject("result");
        assertEquals(1, result.get("n_mem").getAsInt());
        assertEquals(2, result.getAsJsonArray("lengths").size());
        assertTrue(result.has("decoding_capacity"));
        assertEquals(16 * 64 / (Math.log(256) / Math.log(2)), result.get("theoretical_capacity").getAsDouble(), 1e-9);
        assertTrue(o.out().contains("decoding capacity (K=1): "), o.out());
    }

    @Test
    void missingTextsFileIsNamed(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        Path none = dir.resolve("none.csv");
        CramCommandTest.Outcome o = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", none.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--texts " + none + " does not exist"), o.err());
    }
}
