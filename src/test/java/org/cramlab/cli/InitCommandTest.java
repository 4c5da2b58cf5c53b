package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.cram.RunRecord;
import org.cramlab.init.LearnedInit;
import org.cramlab.init.ModelSamplesTest;
import org.cramlab.init.TextFeature;
import org.cramlab.run.RecordStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code init} and {@code --init KIND --init-from}: end to end on stories260K, bad input on the tiny golden Llama. */
class InitCommandTest {

    @Test
    void fitsFromSampledTextsResumesAndItsInitsStartCramRuns(@TempDir Path dir) {
        String stories = ModelSamplesTest.stories().toString();
        Path out = dir.resolve("inits");
        Outcome o = CramCommandTest.run("init", "--model", stories, "--length", "8", "--train-texts", "sampled:6", "--steps",
                "300", "--feature", "positional", "-o", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().matches("(?s)fitted mean, neighbour, encoder on \\d+ solved memories \\(6 of 6 training texts"
                + " crammed now in .*"), o.out());
        assertEquals(6, RecordStore.read(out.resolve("train")).size(), "each training text is a run record of OUT/train");
        LearnedInit encoder = LearnedInit.read(out.resolve("encoder.safetensors"));
        assertEquals(TextFeature.Kind.POSITIONAL, encoder.feature());
        encoder.requireModel(LearnedInit.fingerprint(Path.of(stories)), "stories260K", out);

        Outcome again = CramCommandTest.run("init", "--model", stories, "--length", "8", "--train-texts", "sampled:6",
                "--steps", "300", "--feature", "positional", "-o", out.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("(0 of 6 training texts crammed now"), "a rerun resumes: " + again.out());

        Outcome file = CramCommandTest.run("cram", "--model", stories, "--text", "Once upon a time, there was a girl",
                "--length", "8", "--steps", "2", "--no-greedy", "--json", "--init", out.resolve("encoder.safetensors").toString());
        assertEquals(0, file.code(), file.err());
        assertEquals(encoder.label(), RunRecord.fromJson(file.out().strip()).settings().optimiser().get("init"));

        Outcome fromRuns = CramCommandTest.run("cram", "--model", stories, "--text", "Once upon a time, there was a girl",
                "--length", "8", "--steps", "2", "--no-greedy", "--json", "--init", "mean", "--init-from", out.resolve("train").toString());
        assertEquals(0, fromRuns.code(), fromRuns.err());
        String label = (String) RunRecord.fromJson(fromRuns.out().strip()).settings().optimiser().get("init");
        assertTrue(label.startsWith("mean fitted on "), label);
    }

    @Test
    void refitCramsTheTrainingTextsAgainFromTheFittedEncoder(@TempDir Path dir) {
        String stories = ModelSamplesTest.stories().toString();
        Path out = dir.resolve("inits");
        Outcome o = CramCommandTest.run("init", "--model", stories, "--length", "6", "--train-texts", "sampled:4", "--steps",
                "300", "--kind", "encoder", "--refit", "-o", out.toString());
        assertEquals(0, o.code(), o.err());
        var train = RecordStore.read(out.resolve("train")).all();
        var refit = RecordStore.read(out.resolve("refit")).all();
        long solved = train.stream().filter(r -> r.metrics().bestAccuracy() >= 1.0 && r.metrics().originalAccuracy() < 1.0).count();
        assertEquals(solved, refit.size(), "every training example is crammed again");
        for (RunRecord r : refit) {
            assertEquals("encoder fitted on " + solved + " texts", r.settings().optimiser().get("init"), r.runId());
        }
        assertTrue(o.out().contains("with the refit"), o.out());
        assertTrue(Files.isRegularFile(out.resolve("encoder.safetensors")));
    }

    @Test
    void theHiddenFeatureIsRecordedAndComputedAgainAtCram(@TempDir Path dir) {
        String stories = ModelSamplesTest.stories().toString();
        Path out = dir.resolve("inits");
        Outcome o = CramCommandTest.run("init", "--model", stories, "--length", "6", "--train-texts", "sampled:4", "--steps",
                "300", "--kind", "encoder", "--feature", "hidden", "-o", out.toString());
        assertEquals(0, o.code(), o.err());
        LearnedInit encoder = LearnedInit.read(out.resolve("encoder.safetensors"));
        assertEquals(TextFeature.Kind.HIDDEN, encoder.feature());
        assertTrue(encoder.label().startsWith("encoder (hidden) fitted on "), encoder.label());
        Outcome cram = CramCommandTest.run("cram", "--model", stories, "--text", "Once upon a time, there was a girl",
                "--length", "6", "--steps", "2", "--no-greedy", "--json", "--init", out.resolve("encoder.safetensors").toString());
        assertEquals(0, cram.code(), cram.err());
        assertEquals(encoder.label(), RunRecord.fromJson(cram.out().strip()).settings().optimiser().get("init"));
    }

    @Test
    void badTrainingTextsAndInitSourcesAreOneLineErrors(@TempDir Path dir) throws Exception {
        String llama = CramCommandTest.llama();
        String out = dir.resolve("o").toString();
        expect("init: --train-texts nowhere is neither sampled:N nor an existing texts file or run folder",
                "init", "--model", llama, "--length", "4", "--train-texts", "nowhere", "-o", out);
        expect("init: --train-texts sampled:x: expected sampled:N", "init", "--model", llama, "--length", "4",
                "--train-texts", "sampled:x", "-o", out);
        expect("init: --train-texts sampled:N and texts files need --length L", "init", "--model", llama, "--train-texts",
                "sampled:3", "-o", out);
        expect("init: text feature must be mean-embedding, positional, hidden or hidden-last, got 'last'", "init", "--model",
                llama, "--length", "4", "--feature", "last", "--train-texts", "sampled:2", "-o", out);
        expect("init: --feature positional needs --length", "init", "--model", llama, "--feature", "positional",
                "--train-texts", "sampled:2", "-o", out);
        expect("init: --train-texts " + dir + " is not a run folder (no records/)", "init", "--model", llama, "--train-texts", dir.toString(),
                "-o", out);
        expect("cram: --init encoder needs --init-from RUN_FOLDER|F", "cram", "--model", llama, "--ids", "1,2,3", "--init",
                "encoder");
        Path missing = dir.resolve("missing");
        expect("cram: --init-from " + missing + " does not exist", "cram", "--model", llama, "--ids", "1,2,3", "--init", "mean",
                "--init-from", missing.toString());
        expect("cram: --init-from " + dir + " applies only with --init mean, neighbour or encoder", "cram", "--model", llama,
                "--ids", "1,2,3", "--init-from", dir.toString());
        Path encoder = CramInitCommandTest.fitted(dir, LearnedInit.fingerprint(Path.of(llama)), "enc.safetensors");
        expect("cram: --init-from " + encoder + " holds a encoder init, not --init mean", "cram", "--model", llama, "--ids",
                "1,2,3", "--init", "mean", "--init-from", encoder.toString());
    }

    @Test
    void capacityTakesAnInitRefusesAnotherModelsAndKeepsOneInitPerFolder(@TempDir Path dir) throws Exception {
        Path model = CapacityCommandTest.modelWithTokenizer(dir);
        Path texts = dir.resolve("lines.txt");
        Files.writeString(texts, "QZXJ KWVQ 1234567890 0987654321\n");
        Path other = CramInitCommandTest.fitted(dir, "0".repeat(64), "other.safetensors");
        Path out = dir.resolve("cap");
        Outcome wrong = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths",
                "2,4", "--steps", "3", "--no-greedy", "--init", other.toString(), "--out", out.toString());
        assertEquals(2, wrong.code(), wrong.err());
        assertTrue(wrong.err().strip().startsWith("capacity: init file " + other + " was fitted on model someone"), wrong.err());
        assertEquals(1, wrong.err().strip().lines().count(), wrong.err());

        Path mine = CramInitCommandTest.fitted(dir, LearnedInit.fingerprint(model), "mine.safetensors");
        Outcome ok = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths",
                "2,4", "--steps", "3", "--no-greedy", "--init", mine.toString(), "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        for (RunRecord r : RecordStore.read(out).all()) {
            assertEquals("encoder fitted on 1 texts", r.settings().optimiser().get("init"), r.runId());
        }
        Outcome mixed = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths",
                "2,4", "--steps", "3", "--no-greedy", "--out", out.toString());
        assertEquals(2, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("--out " + out + " holds runs started from 'encoder fitted on 1 texts', not from"
                + " 'random'"), mixed.err());
    }

    @Test
    void planWritesItsInitBesideThePlanAndSweepStartsFromIt(@TempDir Path dir) throws Exception {
        Path stories = ModelSamplesTest.stories();
        Path plan = dir.resolve("p.json");
        Path other = CramInitCommandTest.fitted(dir, "0".repeat(64), "other.safetensors");
        Outcome wrong = CramCommandTest.run("plan", "--experiment", "capacity-vs-length", "--models", stories.toString(),
                "--lengths", "4", "--texts", "1", "--max-steps", "2", "--init", other.toString(), "--out", plan.toString());
        assertEquals(2, wrong.code(), wrong.err());
        assertTrue(wrong.err().strip().startsWith("plan: init file " + other + " was fitted on model someone"), wrong.err());
        assertTrue(Files.notExists(plan), "no plan written");

        Path mine = CramInitCommandTest.fitted(dir, LearnedInit.fingerprint(stories), "mine.safetensors");
        Outcome ok = CramCommandTest.run("plan", "--experiment", "capacity-vs-length", "--models", stories.toString(),
                "--lengths", "4", "--texts", "1", "--max-steps", "2", "--init", mine.toString(), "--out", plan.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.isRegularFile(dir.resolve("p.init.safetensors")), "the init sits beside the plan");
        Path runs = dir.resolve("runs");
        Outcome swept = CramCommandTest.run("sweep", "--plan", plan.toString(), "--out", runs.toString());
        assertEquals(0, swept.code(), swept.err());
        assertTrue(RecordStore.read(runs).size() > 0);
        for (RunRecord r : RecordStore.read(runs).all()) {
            assertEquals("encoder fitted on 1 texts", r.settings().optimiser().get("init"), r.runId());
        }
        Outcome plain = CramCommandTest.run("plan", "--experiment", "capacity-vs-length", "--models", stories.toString(),
                "--lengths", "4", "--texts", "1", "--out", plan.toString());
        assertEquals(0, plain.code(), plain.err());
        assertTrue(Files.notExists(dir.resolve("p.init.safetensors")), "a plan rewritten without --init has no init");
    }

    private static void expect(String message, String... args) {
        Outcome o = CramCommandTest.run(args);
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().strip().startsWith(message), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
    }
}
