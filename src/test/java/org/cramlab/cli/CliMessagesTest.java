package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.core.Plural;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.run.CapacitySearch;
import org.cramlab.report.Aggregates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages a user reads: where the input is wrong, which option, counts in words, no NaN. */
class CliMessagesTest {

    @Test
    void stepsZeroNamesTheOption() {
        for (String option : List.of("--steps", "--patience")) {
            Outcome o = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,2,3", option, "0");
            assertEquals(2, o.code(), o.err());
            assertEquals("cram: " + option + " must be >= 1, got 0", o.err().strip());
        }
    }

    @Test
    void aMalformedPlanNamesFileFieldAndWhatWasExpected(@TempDir Path dir) throws Exception {
        Map<String, String> plans = Map.of(
                "{\"name\": \"x\", \"runs\": [{\"model_id\": \"m\", \"length\": \"abc\"}]}",
                "at $.runs[0].length: expected a number, found \"abc\"",
                "{\"name\": \"x\",\n \"runs\": 5}", "at $.runs: expected a list, found a number",
                "{\"name\": \"x\", \"runs\": [\n", "line 2 column 1 ($.runs[0]): the JSON ends too early");
        for (Map.Entry<String, String> p : plans.entrySet()) {
            Path plan = Files.writeString(dir.resolve("plan.json"), p.getKey());
            Outcome o = CramCommandTest.run("sweep", "--plan", plan.toString(), "--out", dir.resolve("runs").toString());
            assertEquals(2, o.code(), o.err());
            assertTrue(o.err().startsWith("sweep: plan file " + plan + " is not a valid plan: " + p.getValue()), o.err());
            for (String leak : List.of("http", "java.", "Exception", "gson", "BEGIN_")) {
                assertFalse(o.err().contains(leak), leak + " in: " + o.err());
            }
            assertEquals(1, o.err().lines().count(), o.err());
        }
    }

    @Test
    void aJsonlTextsLineThatIsNotJsonSaysWhereWithoutGsonInternals(@TempDir Path dir) throws Exception {
        Path texts = Files.writeString(dir.resolve("t.jsonl"), "{\"text\": \"fine\"}\n{\"text\": \"abc\"\n");
        Outcome o = CramCommandTest.run("capacity", "--model", CapacityCommandTest.modelWithTokenizer(dir).toString(),
                "--texts", texts.toString(), "--out", dir.resolve("out").toString());
        assertEquals(2, o.code(), o.err());
        assertEquals("capacity: " + texts + " line 2 is not a JSON object (column 15 ($.text): the JSON ends too early"
                + " (an unclosed { or [?)): expected {\"text\": ..., \"id\": ...}", o.err().strip());
    }

    @Test
    void aTextsFileThatIsNotUtf8GivesTheByteOffset(@TempDir Path dir) throws Exception {
        Path texts = dir.resolve("t.txt");
        Files.write(texts, new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, ' ', 'n', 'o', 'i', 'r', '\n'});
        Outcome o = CramCommandTest.run("capacity", "--model", CapacityCommandTest.modelWithTokenizer(dir).toString(),
                "--texts", texts.toString(), "--out", dir.resolve("out").toString());
        assertEquals(2, o.code(), o.err());
        assertEquals("capacity: text file " + texts + " is not UTF-8: malformed byte sequence (0xE9) at byte offset 6"
                + " (expected UTF-8 text)", o.err().strip());
    }

    @Test
    void compressOfBytesThatAreNotUtf8GivesTheByteOffset(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("latin1.txt");
        Files.write(input, new byte[] {'c', 'a', 'f', (byte) 0xE9});
        Outcome o = CramCommandTest.run("compress", "--model", CapacityCommandTest.modelWithTokenizer(dir).toString(),
                input.toString(), "-o", dir.resolve("x.cram").toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("is not UTF-8: malformed byte sequence (0xE9) at byte offset 3"), o.err());
        assertFalse(o.err().contains("Input length"), o.err());
    }

    @Test
    void countsAreWordsAndUnmeasuredGainsAreSaidNotPrintedAsNaN() {
        assertEquals("1 token", Plural.of(1, "token"));
        assertEquals("0 tokens", Plural.of(0, "token"));
        assertEquals("2 tokens", Plural.of(2, "token"));
        CapacitySearch.Result staged = new CapacitySearch.Result("m", 1, "warm",
                List.of(new Aggregates.LengthStats(2, 3, 1.0, Double.NaN, Double.NaN, true)), 1, 1, 279.3, 0, Double.NaN,
                Double.NaN, Double.NaN, 1);
        String table = CapacityCommand.table(staged);
        assertTrue(table.contains("decoding capacity (K=1): 1 token\n"), table);
        assertTrue(table.contains("strategy warm: 1 optimisation step in total"), table);
        assertTrue(table.contains("token gain: not measured (a staged search runs no from-scratch run per length)"), table);
        assertFalse(table.contains("NaN"), table);
    }

    @Test
    void aProgressiveRunWhereNothingPassedSaysSo() {
        ProgressiveRecord.Stage failed = new ProgressiveRecord.Stage(0, 2, 0, 5, 3.0, 0.0, false, 0, 2, 4.0, "max_steps", 0.1,
                null);
        ProgressiveRecord r = new ProgressiveRecord("t", "literal", "m", 1, 0, "grow 1 from 2", "greedy", new int[] {1, 2},
                List.of(failed), 0, 0, 5, Map.of());
        String summary = CramCommand.progressiveSummary(r);
        assertTrue(summary.endsWith("greedy horizon 0 tokens, 0 encoded (no stage passed), 5 optimisation steps"), summary);
        assertFalse(summary.contains("longest passed stage 0"), summary);
    }
}
