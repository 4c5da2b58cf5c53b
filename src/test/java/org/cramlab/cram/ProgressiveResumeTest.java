package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.run.ProgressiveRunner;
import org.cramlab.run.RunFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progressive records persist stage by stage, round-trip through JSON and resume after a crash. */
class ProgressiveResumeTest {

    private static ToyLM model;

    @BeforeAll
    static void load() {
        model = new ToyLM(50, 16, 32, 40, 7);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static ProgressiveRunner runner() {
        ProgressiveCrammer c = ProgressiveCrammer.builder(model)
                .optSettings(CramSettings.builder().optMaxSteps(120).optPatience(120).optLr(0.1).optBatchSize(2).build())
                .optPolicy(StagePolicy.grow(2, 1)).build();
        return new ProgressiveRunner(c, "toy", model.info().hiddenSize());
    }

    private static List<ProgressiveCrammer.Task> tasks() {
        List<ProgressiveCrammer.Task> t = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            t.add(new ProgressiveCrammer.Task("t" + i, "literal", ProgressiveCrammerTest.ids(12, 3 * i + 1), 2, 10 + i));
        }
        return t;
    }

    static final class Crash extends RuntimeException {
        Crash() {
            super("injected crash");
        }
    }

    @Test
    void aCrashMidRunResumesFromTheSavedStagesAndEndsAsAnUninterruptedRun(@TempDir Path dir) {
        List<ProgressiveRecord> reference;
        try (RunFolder a = RunFolder.open(dir.resolve("a"), "w1")) {
            reference = runner().run(tasks(), a, new ProgressiveCrammer.Listener() {});
        }
        int total = reference.stream().mapToInt(r -> r.stages().size()).sum();
        assertTrue(total >= 6, "enough stages to crash in the middle: " + total);

        int crashAfter = total / 2;
        int[] seen = {0};
        try (RunFolder b = RunFolder.open(dir.resolve("b"), "w1")) {
            assertThrows(Crash.class, () -> runner().run(tasks(), b, new ProgressiveCrammer.Listener() {
                @Override
                public void onStage(ProgressiveCrammer.Task task, ProgressiveRecord.Stage stage, float[] memory) {
                    if (++seen[0] == crashAfter) throw new Crash(); // after the stage and its memory are on disk
                }
            }));
        }
        int[] recomputed = {0};
        List<ProgressiveRecord> resumed;
        try (RunFolder b = RunFolder.open(dir.resolve("b"), "w2")) {
            resumed = runner().run(tasks(), b, new ProgressiveCrammer.Listener() {
                @Override
                public void onStage(ProgressiveCrammer.Task task, ProgressiveRecord.Stage stage, float[] memory) {
                    recomputed[0]++;
                }
            });
        }
        assertEquals(total - crashAfter, recomputed[0], "finished stages are read back, not recomputed");
        for (int i = 0; i < reference.size(); i++) {
            ProgressiveRecord x = reference.get(i);
            ProgressiveRecord y = resumed.get(i);
            assertEquals(x.stages().size(), y.stages().size(), "text " + i);
            for (int j = 0; j < x.stages().size(); j++) {
                ProgressiveRecord.Stage p = x.stages().get(j);
                ProgressiveRecord.Stage q = y.stages().get(j);
                assertEquals(p.length(), q.length());
                assertEquals(p.steps(), q.steps(), "text " + i + " stage " + j);
                assertEquals(p.passed(), q.passed());
                assertEquals(p.bestLoss(), q.bestLoss(), 1e-6);
                assertEquals(p.memoryFile(), q.memoryFile());
                assertTrue(Files.isRegularFile(dir.resolve("b").resolve(q.memoryFile())), q.memoryFile());
            }
            assertEquals(x.totalSteps(), y.totalSteps());
            assertEquals(x.horizon(), y.horizon());
            // the record round-trips through its JSON line
            ProgressiveRecord back = ProgressiveRecord.fromJson(y.toJson());
            assertEquals(y.stages(), back.stages());
            assertArrayEquals(y.tokenIds(), back.tokenIds());
            assertEquals(y.horizon(), back.horizon());
            assertEquals(y.policy(), back.policy());
        }
        // a third run finds every text done: nothing is optimised
        int[] again = {0};
        try (RunFolder b = RunFolder.open(dir.resolve("b"), "w3")) {
            runner().run(tasks(), b, new ProgressiveCrammer.Listener() {
                @Override
                public void onStep(RunListener.Step p) {
                    again[0]++;
                }
            });
        }
        assertEquals(0, again[0]);
    }
}
