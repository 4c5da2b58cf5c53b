package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.cram.Memory;
import org.cramlab.cram.RunRecord;
import org.cramlab.init.LearnedInit;
import org.cramlab.init.TextFeature;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cram --init} with fitted init files on the tiny golden Llama (d = 64). */
class CramInitCommandTest {

    static Path fitted(Path dir, String sha, String name) {
        float[] memory = new float[64];
        for (int i = 0; i < memory.length; i++) memory[i] = 0.01f * (i % 7 - 3);
        LearnedInit init = LearnedInit.fit(LearnedInit.Kind.ENCODER, sha, "someone", 1, List.of(new float[64]),
                List.of(memory), 0.01);
        Path f = dir.resolve(name);
        init.save(f);
        return f;
    }

    @Test
    void anEncoderFitOnOneCrammedTextStartsThatTextAtItsSolvedMemory(@TempDir Path dir) {
        Path mem = dir.resolve("solved.safetensors");
        Outcome first = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150,23", "--steps",
                "30", "--json", "--save-memory", mem.toString());
        assertEquals(0, first.code(), first.err());
        RunRecord solved = RunRecord.fromJson(first.out().strip());
        Path llama = Path.of(CramCommandTest.llama());
        float[] feature;
        try (CausalLM model = Models.load(llama)) {
            feature = TextFeature.meanEmbedding(model, new int[] {1, 77, 150, 23});
        }
        Path f = dir.resolve("enc.safetensors");
        LearnedInit.fit(LearnedInit.Kind.ENCODER, LearnedInit.fingerprint(llama), "llama", 1, List.of(feature),
                List.of(Memory.read(mem).values()), LearnedInit.DEFAULT_LAMBDA).save(f);
        Outcome again = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150,23", "--steps",
                "1", "--json", "--init", f.toString());
        assertEquals(0, again.code(), again.err());
        RunRecord started = RunRecord.fromJson(again.out().strip());
        // the first step evaluates the start memory: the first run's best (kept at its best accuracy, not its
        // lowest loss), so its loss is one the first run evaluated and its accuracy the first run's best
        double startLoss = started.trajectory().losses().get(0);
        assertTrue(solved.trajectory().losses().stream().anyMatch(l -> Math.abs(l - startLoss) < 1e-4),
                startLoss + " not among " + solved.trajectory().losses());
        assertEquals(solved.metrics().bestAccuracy(), started.trajectory().accuracies().get(0), 1e-9);
    }

    @Test
    void anInitFittedOnAnotherModelIsAOneLineError(@TempDir Path dir) {
        Path f = fitted(dir, "0".repeat(64), "other.safetensors");
        Outcome o = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150", "--steps", "2",
                "--init", f.toString());
        assertEquals(2, o.code(), o.err());
        String msg = o.err().strip();
        assertTrue(msg.startsWith("cram: init file " + f + " was fitted on model someone"), msg);
        assertEquals(1, msg.lines().count(), msg);
    }

    @Test
    void anInitFittedOnThisModelStartsTheRunAndIsRecorded(@TempDir Path dir) {
        String sha = LearnedInit.fingerprint(Path.of(CramCommandTest.llama()));
        Path f = fitted(dir, sha, "mine.safetensors");
        Outcome o = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150", "--steps", "2",
                "--json", "--init", f.toString());
        assertEquals(0, o.code(), o.err());
        RunRecord r = RunRecord.fromJson(o.out().strip());
        assertTrue(o.out().contains("\"init\":\"encoder fitted on 1 texts\""), o.out());

        Outcome random = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150", "--steps",
                "2", "--json", "--init", "random");
        Outcome plain = CramCommandTest.run("cram", "--model", CramCommandTest.llama(), "--ids", "1,77,150", "--steps",
                "2", "--json");
        assertEquals(RunRecord.fromJson(plain.out().strip()).runId(), RunRecord.fromJson(random.out().strip()).runId(),
                "--init random is the default run");
        assertTrue(!r.runId().equals(RunRecord.fromJson(plain.out().strip()).runId()), "a learned start is another run");
    }
}
