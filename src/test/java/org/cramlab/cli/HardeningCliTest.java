package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.cram.Memory;
import org.cramlab.cram.RunRecord;
import org.cramlab.model.BlasThreads;
import org.cramlab.model.TorchThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a careful first hour of use broke (inputs a new user gives the CLI), each a one-line error or a success. */
class HardeningCliTest {

    static Outcome run(String... args) {
        return CramCommandTest.run(args);
    }

    /** Lines of stderr that are not the progress line. */
    static long messageLines(String err) {
        return err.lines().filter(l -> !l.isBlank() && !l.startsWith("step ") && !l.contains("\r")).count();
    }

    @Test
    void aHugeTextFileIsReadOnlyAsFarAsLengthNeeds(@TempDir Path dir) throws Exception {
        // 8 GiB: a few words, then a sparse hole (no disk used); reading it all would not fit in memory
        Path huge = dir.resolve("huge.txt");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.write("Once upon a time there was a little dog who liked to run in the park every day. ".repeat(20)
                    .getBytes(StandardCharsets.UTF_8));
            f.setLength(8L << 30);
        }
        Outcome o = run("cram", "--text-file", huge.toString(), "--length", "8", "--steps", "1", "--no-greedy", "--json");
        assertEquals(0, o.code(), o.err());
        RunRecord r = RunRecord.fromJson(o.out().trim());
        assertEquals(8, r.text().length());
        assertTrue(r.text().content().startsWith("Once upon"), r.text().content());
        // the record shows the PyTorch threads in use (surefire runs with one), not the CPU count
        assertEquals(String.valueOf(TorchThreads.inUse()), r.environment().versions().get("threads"));
        assertEquals("1", r.environment().versions().get("threads"));
        // and the BLAS under libtorch: MKL, or the preloaded OpenBLAS's configuration
        assertEquals(BlasThreads.describe(), r.environment().versions().get("blas"));
    }

    @Test
    void nonFiniteOrAbsurdLearningRatesAreRejectedUpFront() {
        for (String lr : new String[] {"Infinity", "1e30", "NaN", "-0.01", "0"}) {
            Outcome o = run("cram", "--model", CramCommandTest.llama(), "--ids", "1,2,3", "--steps", "2", "--lr", lr);
            assertEquals(2, o.code(), lr + ": " + o.err());
            assertTrue(o.err().contains("--lr must be a finite number in (0, 1.0]") && o.err().contains("got "), o.err());
            assertEquals(1, messageLines(o.err()), o.err());
            assertEquals("", o.out());
        }
    }

    @Test
    void anInitMemoryHoldingNanOrInfinityIsRejectedNamingFileAndTensor(@TempDir Path dir) {
        float[] values = new float[64];
        values[17] = Float.POSITIVE_INFINITY;
        Path inf = dir.resolve("inf.safetensors");
        Memory.save(inf, values, 1, 64, Map.of());
        Outcome o = run("cram", "--model", CramCommandTest.llama(), "--ids", "1,2,3", "--steps", "2", "--init", inf.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("memory file " + inf + ": tensor 'memory' holds Infinity at [0, 17]"), o.err());
        values[17] = Float.NaN;
        Memory.save(inf, values, 1, 64, Map.of());
        Outcome nan = run("cram", "--model", CramCommandTest.llama(), "--ids", "1,2,3", "--steps", "2", "--init", inf.toString());
        assertEquals(2, nan.code(), nan.err());
        assertTrue(nan.err().contains("holds NaN at [0, 17]: expected finite numbers"), nan.err());
    }

    @Test
    void emptyTextsAreRejectedAndNeverGiveACapacity(@TempDir Path dir) throws Exception {
        for (String tokens : new String[] {"0", "-8", "1"}) {
            Path out = dir.resolve("t" + tokens + ".jsonl");
            Outcome o = run("texts", "--source", "random", "--tokens", tokens, "--count", "3", "--out", out.toString());
            assertEquals(2, o.code(), tokens);
            assertTrue(o.err().contains("--tokens must be >= 2") && o.err().contains("got " + tokens), o.err());
            assertFalse(Files.exists(out), "nothing written for --tokens " + tokens);
        }
        // a texts file with empty texts (as --tokens 1 used to write): named line, no capacity
        Path empty = Files.writeString(dir.resolve("empty.jsonl"),
                "{\"id\":\"a\",\"text\":\"hello there\"}\n{\"id\":\"b\",\"text\":\"\"}\n");
        Outcome cap = run("capacity", "--texts", empty.toString(), "--lengths", "2,4", "--steps", "2",
                "--out", dir.resolve("cap").toString());
        assertEquals(2, cap.code(), cap.err());
        assertTrue(cap.err().contains(empty + " line 2 has an empty \"text\""), cap.err());
        assertFalse(cap.out().contains("capacity"), cap.out());
        // texts too short for every length of the grid: an error, not "capacity 0 tokens" with NaN
        Path shortTexts = Files.writeString(dir.resolve("short.jsonl"), "{\"text\":\"a dog\"}\n");
        Outcome tooShort = run("capacity", "--texts", shortTexts.toString(), "--lengths", "64,128", "--steps", "2",
                "--out", dir.resolve("cap2").toString());
        assertEquals(2, tooShort.code(), tooShort.err());
        assertTrue(tooShort.err().contains("reaches the grid's shortest length 64 tokens")
                && tooShort.err().contains("nothing to measure a capacity from"), tooShort.err());
        assertFalse(tooShort.out().contains("decoding capacity"), tooShort.out());
    }

    @Test
    void planExactWritesAPlanOfExactRunsWithTheirOwnIds(@TempDir Path dir) {
        Path batched = dir.resolve("batched.json"), exact = dir.resolve("exact.json");
        assertEquals(0, run("plan", "--experiment", "capacity-vs-length", "--lengths", "4,8", "--texts", "2", "--out",
                batched.toString()).code());
        Outcome o = run("plan", "--experiment", "capacity-vs-length", "--lengths", "4,8", "--texts", "2", "--exact", "--out",
                exact.toString());
        assertEquals(0, o.code(), o.err());
        org.cramlab.run.ExperimentPlan b = org.cramlab.run.ExperimentPlan.load(batched);
        org.cramlab.run.ExperimentPlan e = org.cramlab.run.ExperimentPlan.load(exact);
        assertTrue(e.isExact() && !b.isExact());
        assertEquals(b.exact(), e, "the same runs, in exact mode");
    }

    @Test
    void gpuOnTheCpuBuildIsOneLineSayingWhatToDo() {
        Outcome o = run("cram", "--model", CramCommandTest.llama(), "--ids", "1,2,3", "--steps", "2", "--device", "gpu");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("no GPU/CUDA build of PyTorch was found") && o.err().contains("use --device cpu"), o.err());
        assertEquals(1, messageLines(o.err()), o.err());
    }

    @Test
    void unwritableOutputFoldersFailBeforeAnyCramming(@TempDir Path dir) throws Exception {
        Outcome save = run("cram", "--model", CramCommandTest.llama(), "--ids", "1,2,3", "--steps", "2",
                "--save-memory", "/proc/nope/m.safetensors");
        assertEquals(2, save.code(), save.err());
        assertTrue(save.err().contains("/proc/nope") && save.err().contains("not writable"), save.err());
        assertFalse(save.err().contains("step "), "no cramming happened: " + save.err());
        Path texts = Files.writeString(dir.resolve("t.txt"), "one text\n");
        Outcome cap = run("capacity", "--texts", texts.toString(), "--out", "/proc/nope/cap");
        assertEquals(2, cap.code(), cap.err());
        assertTrue(cap.err().contains("--out /proc/nope/cap is not writable"), cap.err());
    }

    @Test
    void anUnreadableTextFileSaysWhy(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.txt");
        Outcome none = run("cram", "--text-file", missing.toString(), "--steps", "1");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("cannot read --text-file " + missing + ": no such file"), none.err());

        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, ' ', 'n', 'o', 'i', 'r'});
        Outcome bad = run("cram", "--text-file", latin1.toString(), "--steps", "1");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains(latin1 + " is not UTF-8") && bad.err().contains("byte offset 3"), bad.err());
        assertEquals(1, messageLines(bad.err()), bad.err());

        Outcome folder = run("cram", "--text-file", dir.toString(), "--steps", "1");
        assertEquals(2, folder.code());
        assertTrue(folder.err().contains("is a directory"), folder.err());
    }
}
