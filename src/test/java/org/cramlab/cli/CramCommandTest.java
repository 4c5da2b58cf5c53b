package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.cramlab.cram.Memory;
import org.cramlab.cram.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cram} on the tiny golden Llama (no tokenizer: token ids), and its bad-input messages. */
class CramCommandTest {

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    static String llama() {
        try {
            return Paths.get(CramCommandTest.class.getResource("/golden/llama").toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void jsonRecordSavedMemoryAndResume(@TempDir Path dir) {
        Path mem = dir.resolve("m.safetensors");
        Outcome o = run("cram", "--model", llama(), "--ids", "1,77,150,23,9", "--steps", "3", "--json",
                "--save-memory", mem.toString());
        assertEquals(0, o.code(), o.err());
        RunRecord r = RunRecord.fromJson(o.out().trim());
        assertEquals(3, r.trajectory().steps());
        assertEquals(5, r.text().length());
        assertEquals(1, r.settings().nMem());
        assertEquals("max_steps", r.trajectory().stopReason());
        assertEquals(mem.toString(), r.memoryFile());
        assertTrue(o.out().contains("\"information_gain_nats\":"), o.out());
        assertTrue(o.err().contains("step "), "progress line on stderr: " + o.err());
        assertEquals(64, Memory.read(mem).d());

        // --init takes K from the file; the readable summary names the stop reason and greedy result
        Outcome again = run("cram", "--model", llama(), "--ids", "1,77,150,23,9", "--steps", "2", "--init", mem.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("K=1  L=5  steps=2  stop=max_steps"), again.out());
        assertTrue(again.out().contains("greedy    exact"), again.out());
    }

    @Test
    void badInputIsAClearErrorNamingTheValue(@TempDir Path dir) throws Exception {
        Outcome noDir = run("cram", "--model", dir.resolve("nowhere").toString(), "--ids", "1,2,3");
        assertEquals(2, noDir.code());
        assertTrue(noDir.err().contains(dir.resolve("nowhere").toString()), noDir.err());

        Outcome empty = run("cram", "--model", llama(), "--text", "  ");
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("--text is empty"), empty.err());

        Outcome k0 = run("cram", "--model", llama(), "--ids", "1,2,3", "--mem", "0");
        assertEquals(2, k0.code());
        assertTrue(k0.err().contains("K must be >= 1, got 0"), k0.err());

        Outcome tooLong = run("cram", "--model", llama(), "--ids", "1,2,3,4,5,6,7,8,9,10", "--mem", "250");
        assertEquals(2, tooLong.code());
        assertTrue(tooLong.err().contains("K + L = 250 + 10 = 260 exceeds the model's 256 positions"), tooLong.err());

        Path missing = dir.resolve("missing.safetensors");
        Outcome noInit = run("cram", "--model", llama(), "--ids", "1,2,3", "--init", missing.toString());
        assertEquals(2, noInit.code());
        assertTrue(noInit.err().contains("cannot read memory file " + missing), noInit.err());

        Path narrow = dir.resolve("narrow.safetensors");
        Memory.save(narrow, new float[32], 1, 32, Map.of());
        Outcome shape = run("cram", "--model", llama(), "--ids", "1,2,3", "--init", narrow.toString());
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("has shape [1, 32], expected [K, d] = [1, 64]"), shape.err());

        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "hello");
        Outcome noTok = run("cram", "--model", llama(), "--text-file", notes.toString());
        assertEquals(2, noTok.code());
        assertTrue(noTok.err().contains("has no tokenizer.json"), noTok.err());
    }
}
