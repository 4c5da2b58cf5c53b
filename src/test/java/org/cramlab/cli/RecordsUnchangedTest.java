package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.cramlab.cram.RunRecord;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records are unchanged by the package restructure: {@code cram --json} lines written by main's code right
 * after it (default model, seed 7, 12 tokens, 30 steps, one torch thread) read back, and re-running the same
 * commands gives the same records: run ids, token ids, steps, stop reasons and accuracies exactly, losses
 * and the measures derived from them within 1e-5 (relative). On the machine that wrote the file the re-run
 * is bit-identical (one CPU thread is deterministic), but another CPU's kernels may round differently.
 */
class RecordsUnchangedTest {
    static final Path FILE = Path.of("src/test/resources/records/cram-default-model-2026-12-07.jsonl");
    /** The {@code cram} arguments of each line of {@link #FILE}, in order. */
    static final List<List<String>> COMMANDS = List.of(
            List.of("--text", "Once upon a time there was a little fox who lived in the woods.", "--mem", "1"),
            List.of("--text", "The miller counted the grain twice before the sun went down.", "--mem", "1"),
            List.of("--text", "She kept the letter in a box under her bed for many years.", "--mem", "1"),
            List.of("--text", "Once upon a time there was a little fox who lived in the woods.", "--mem", "2"));
    /** Keys that describe when and where a run happened, not what it computed. */
    static final Set<String> CIRCUMSTANCES = Set.of("wall_time_seconds", "environment");
    static final double TOLERANCE = 1e-5;
    /** The default model's id in {@link #FILE} (its folder name when extracted from the jar). */
    static final String JAR_MODEL_ID = "default-model-41dbdeb852dc";

    @Test
    void committedRecordsReadBackAndTheSameCommandsReproduceThem(@TempDir Path tmp) throws Exception {
        // The jar extracts the default model into default-model-<sha prefix>/ and records that folder name
        // as the model id (part of the run id); tests read it in place, so give them the jar's name.
        Path model = Files.createSymbolicLink(tmp.resolve(JAR_MODEL_ID), DefaultModel.directory().toAbsolutePath());
        try {
            checkEveryLine(model);
        } finally {
            Files.delete(model); // the link only (JUnit would warn about a link leaving the temp dir)
        }
    }

    private static void checkEveryLine(Path model) throws Exception {
        List<String> lines = Files.readAllLines(FILE);
        assertEquals(COMMANDS.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonObject stored = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            RunRecord r = RunRecord.fromJson(lines.get(i));
            assertEquals(stored, JsonParser.parseString(r.toJson()).getAsJsonObject(), "line " + i + " reads back");
            assertEquals(30, r.trajectory().steps());
            assertEquals(12, r.text().length());
            assertEquals(JAR_MODEL_ID, r.settings().modelId());

            List<String> args = new ArrayList<>(List.of("cram", "--model", model.toString(), "--length", "12",
                    "--steps", "30", "--seed", "7", "--json"));
            args.addAll(COMMANDS.get(i));
            CramCommandTest.Outcome o = CramCommandTest.run(args.toArray(new String[0]));
            assertEquals(0, o.code(), o.err());
            JsonObject again = JsonParser.parseString(o.out().trim()).getAsJsonObject();
            assertSame(stored, again, "line " + i);
        }
    }


    /** Equal JSON apart from {@link #CIRCUMSTANCES}; non-integral numbers within {@link #TOLERANCE}. */
    static void assertSame(JsonElement expected, JsonElement actual, String where) {
        if (expected.isJsonObject()) {
            JsonObject e = expected.getAsJsonObject(), a = actual.getAsJsonObject();
            Set<String> keys = new TreeSet<>(e.keySet());
            keys.removeAll(CIRCUMSTANCES);
            Set<String> actualKeys = new TreeSet<>(a.keySet());
            actualKeys.removeAll(CIRCUMSTANCES);
            assertEquals(keys, actualKeys, where + ": keys");
            for (String k : keys) {
                assertSame(e.get(k), a.get(k), where + "." + k);
            }
        } else if (expected.isJsonArray()) {
            JsonArray e = expected.getAsJsonArray(), a = actual.getAsJsonArray();
            assertEquals(e.size(), a.size(), where + ": size");
            for (int i = 0; i < e.size(); i++) {
                assertSame(e.get(i), a.get(i), where + "[" + i + "]");
            }
        } else if (expected.isJsonPrimitive() && expected.getAsJsonPrimitive().isNumber()) {
            double e = expected.getAsDouble(), a = actual.getAsDouble();
            assertTrue(Math.abs(e - a) <= TOLERANCE * Math.max(1, Math.abs(e)), where + ": " + e + " vs " + a);
        } else {
            assertEquals(expected, actual, where);
        }
    }
}
