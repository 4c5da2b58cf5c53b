package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.run.TestRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run leaves behind: params and summary of the run that wrote them, the texts' own ids, ordinary file modes. */
class RunOutputsTest {

    static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Test
    void aRerunsParamsAndSummaryRecordItsStageBudget(@TempDir Path dir) throws Exception {
        Path model = CapacityCommandTest.modelWithTokenizer(dir);
        Path texts = Files.writeString(dir.resolve("t.txt"), "QZXJ KWVQ 2345678909 0987654322\nzqxj QZXJ 5555 6666 7777\n");
        Path out = dir.resolve("out");
        for (String stageSteps : List.of("100", "3")) {
            Outcome o = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths",
                    "2,4", "--strategy", "warm", "--stage-steps", stageSteps, "--steps", "3", "--no-greedy", "--out",
                    out.toString());
            assertEquals(0, o.code(), o.err());
            JsonObject strategy = json(out.resolve("params.json")).getAsJsonObject("strategy");
            assertEquals(stageSteps, strategy.get("stage_steps").getAsString(), "params.json is the latest run's");
            assertEquals("warm", strategy.get("name").getAsString());
            assertEquals(stageSteps, json(out.resolve("summary.json")).getAsJsonObject("strategy").get("stage_steps").getAsString());
        }
        assertEquals("100", json(out.resolve("params-1.json")).getAsJsonObject("strategy").get("stage_steps").getAsString(),
                "the earlier session's params are kept");
    }

    @Test
    void theIdOfAJsonlTextNamesItsRecords(@TempDir Path dir) throws Exception {
        Path model = CapacityCommandTest.modelWithTokenizer(dir);
        Path texts = Files.writeString(dir.resolve("t.jsonl"), "{\"id\": \"first-text\", \"text\": \"QZXJ KWVQ 2345678909\"}\n"
                + "{\"text\": \"zqxj QZXJ 5555 6666 7777\"}\n");
        Path grid = dir.resolve("grid"), warm = dir.resolve("warm");
        assertEquals(0, CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths",
                "2,4", "--steps", "2", "--no-greedy", "--out", grid.toString()).code());
        Set<String> ids = new TreeSet<>();
        org.cramlab.run.RecordStore.read(grid).all().forEach(r -> ids.add(r.text().textId()));
        assertEquals(Set.of("first-text", "lines:1"), ids, "a text without an id keeps its index");
        Outcome o = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths",
                "2,4", "--strategy", "warm", "--stage-steps", "2", "--steps", "2", "--no-greedy", "--out", warm.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(TestRecords.stageLines(warm) > 0);
        String stages = String.join("\n", Files.readAllLines(Files.list(warm.resolve("stages")).findFirst().orElseThrow()));
        assertTrue(stages.contains("\"text_id\":\"first-text\""), stages);

        Path twice = Files.writeString(dir.resolve("twice.jsonl"), "{\"id\": \"a\", \"text\": \"QZXJ KWVQ\"}\n"
                + "{\"id\": \"a\", \"text\": \"zqxj QZXJ\"}\n");
        Outcome dup = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", twice.toString(), "--out",
                dir.resolve("dup").toString());
        assertEquals(2, dup.code(), dup.err());
        assertTrue(dup.err().contains("texts 1 and 2 have the same id 'a': expected unique ids"), dup.err());
    }

    @Test
    void outputFilesGetTheUmasksPermissionsNotOwnerOnly(@TempDir Path dir) throws Exception {
        Path reference = Files.createFile(dir.resolve("made-with-the-umask"));
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(reference);
        Path out = dir.resolve("o.bin");
        CodecFiles.write(out, new byte[] {1, 2, 3});
        assertEquals(expected, Files.getPosixFilePermissions(out));
        assertTrue(expected.contains(PosixFilePermission.OWNER_WRITE));
    }
}
