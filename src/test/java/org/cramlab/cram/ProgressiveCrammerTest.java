package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progressive cramming on the toy model: stages, warm starts, surprisal, batching, resume; the schedules. */
class ProgressiveCrammerTest {

    private static ToyLM model;

    @BeforeAll
    static void load() {
        model = new ToyLM(50, 16, 32, 40, 7);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static int[] ids(int length, int offset) {
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = (offset + 7 * i * i + 3 * i) % 50;
        }
        return t;
    }

    private static CramSettings stage(int batch) {
        return CramSettings.builder().optMaxSteps(120).optPatience(120).optLr(0.1).optBatchSize(batch).build();
    }

    private static ProgressiveCrammer grow1(int batch) {
        return ProgressiveCrammer.builder(model).optSettings(stage(batch)).optPolicy(StagePolicy.grow(2, 1)).build();
    }

    private static List<ProgressiveCrammer.Task> texts() {
        List<ProgressiveCrammer.Task> t = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            t.add(new ProgressiveCrammer.Task("t" + i, "literal", ids(12, 3 * i + 1), 2, 10 + i));
        }
        return t;
    }

    @Test
    void stagesGrowByOneFromWarmStartsAndStopAtTheFirstFailure() {
        List<ProgressiveCrammer.Task> tasks = texts();
        int[] live = {0};
        int[] widest = {0};
        int[] warmStarts = {0};
        List<ProgressiveRecord.Stage> reported = new ArrayList<>();
        List<ProgressiveRecord> finished = new ArrayList<>();
        List<ProgressiveRecord> batched = grow1(3).run(tasks, new ProgressiveCrammer.Listener() {
            @Override
            public void onStep(RunListener.Step p) {
                if (p.step() == 1) {
                    widest[0] = Math.max(widest[0], ++live[0]);
                    int l = p.task().length();
                    if (p.task().initMemory() != null) {
                        // warm start from the exact (L-1)-token memory: causal, so its L-2 targets are still right
                        assertTrue(p.accuracy() >= (l - 2.0) / (l - 1) - 1e-9, "first step of a warm stage at L=" + l);
                        warmStarts[0]++;
                    }
                }
            }

            @Override
            public void onFinished(CramResult result) {
                live[0]--;
            }

            @Override
            public void onStage(ProgressiveCrammer.Task task, ProgressiveRecord.Stage stage, float[] memory) {
                reported.add(stage);
            }

            @Override
            public void onText(ProgressiveRecord record) {
                finished.add(record);
            }
        });
        assertEquals(3, widest[0], "three texts share the batch, each holding one slot");
        assertEquals(4, finished.size());
        List<ProgressiveRecord> alone = grow1(1).run(tasks, new ProgressiveCrammer.Listener() {});
        int totalStages = 0;
        for (int i = 0; i < tasks.size(); i++) {
            ProgressiveRecord r = batched.get(i);
            assertEquals("t" + i, r.textId());
            assertEquals("grow-1", r.policy());
            assertEquals("greedy", r.criterion());
            List<ProgressiveRecord.Stage> s = r.stages();
            totalStages += s.size();
            for (int j = 0; j < s.size(); j++) {
                ProgressiveRecord.Stage st = s.get(j);
                assertEquals(j, st.index());
                assertEquals(2 + j, st.length(), "grow by 1 from 2");
                assertEquals(j == 0 ? 0 : 1 + j, st.warmFrom(), "warm start from the previous stage");
                assertEquals(j == 0 ? 2 : 1, st.addedTokens());
                // greedy criterion: passed iff the best memory's greedy horizon covers the stage
                assertEquals(st.horizon() == st.length(), st.passed());
                assertTrue(st.steps() >= 1 && st.steps() <= 120);
                if (j < s.size() - 1) assertTrue(st.passed(), "text " + i + " stage " + j);
            }
            assertEquals(s.stream().mapToInt(ProgressiveRecord.Stage::steps).sum(), r.totalSteps());
            int longest = s.stream().filter(ProgressiveRecord.Stage::passed).mapToInt(ProgressiveRecord.Stage::length).max().orElse(0);
            assertEquals(longest, r.longestPassed());
            assertTrue(r.horizon() >= longest);
            // batched and one text at a time take the same stages (the engine's rows do not interact)
            ProgressiveRecord one = alone.get(i);
            assertEquals(s.size(), one.stages().size(), "text " + i);
            for (int j = 0; j < s.size(); j++) {
                assertEquals(one.stages().get(j).steps(), s.get(j).steps(), "text " + i + " stage " + j);
                assertEquals(one.stages().get(j).bestLoss(), s.get(j).bestLoss(), 1e-4);
            }
            // the surprisal telescopes: the added tokens' sums = the no-memory CE of the longest stage's L-1 targets
            int l = s.get(s.size() - 1).length();
            double sum = s.stream().mapToDouble(ProgressiveRecord.Stage::addedSurprisalNats).sum();
            RunRecord plain = new Crammer(model, CramSettings.builder().optMaxSteps(1).optGreedyCheck(false).build())
                    .run(CramTask.ofIds(java.util.Arrays.copyOf(tasks.get(i).tokenIds(), l), 2)).record();
            assertEquals(plain.metrics().originalLoss() * (l - 1), sum, 1e-3 * Math.max(1, sum));
        }
        assertEquals(totalStages, reported.size());
        assertEquals(totalStages - tasks.size(), warmStarts[0], "every stage but the first starts warm");
        assertTrue(batched.stream().anyMatch(r -> r.longestPassed() >= 3), "the toy learns a few tokens progressively");
    }

    /** Kill after m stages, save the memory to a file, resume: the remaining stages are the uninterrupted run's. */
    @Test
    void warmStartFromASavedMemoryContinuesWhereItStopped(@TempDir Path dir) {
        ProgressiveCrammer.Task task = texts().get(1);
        ProgressiveRecord full = grow1(1).run(List.of(task), new ProgressiveCrammer.Listener() {}).get(0);
        assertTrue(full.stages().size() >= 3, "needs a few stages: " + full.stages());
        int m = full.stages().size() - 2;
        Map<Integer, float[]> saved = new HashMap<>();
        grow1(1).run(List.of(task), new ProgressiveCrammer.Listener() {
            @Override
            public void onStage(ProgressiveCrammer.Task t, ProgressiveRecord.Stage s, float[] memory) {
                if (s.index() == m - 1) {
                    Path f = dir.resolve("stage-" + s.length() + ".safetensors");
                    Memory.save(f, memory, 2, model.info().hiddenSize(), Map.of());
                    saved.put(s.length(), Memory.load(f, 2, model.info().hiddenSize()));
                }
            }
        });
        List<ProgressiveRecord.Stage> done = full.stages().subList(0, m);
        ProgressiveCrammer.Task resumed = new ProgressiveCrammer.Task(task.textId(), task.textSource(), task.tokenIds(),
                task.nMem(), task.seed(), done, saved);
        ProgressiveRecord rest = grow1(1).run(List.of(resumed), new ProgressiveCrammer.Listener() {}).get(0);
        assertEquals(full.stages().size(), rest.stages().size());
        for (int j = m; j < full.stages().size(); j++) {
            ProgressiveRecord.Stage a = full.stages().get(j);
            ProgressiveRecord.Stage b = rest.stages().get(j);
            assertEquals(a.length(), b.length());
            assertEquals(a.warmFrom(), b.warmFrom());
            assertEquals(a.steps(), b.steps(), "stage " + j);
            assertEquals(a.passed(), b.passed());
            assertEquals(a.bestLoss(), b.bestLoss(), 1e-6);
        }
        assertEquals(full.totalSteps(), rest.totalSteps());

        // a stage restarted from its own saved best memory is solved by the first forward: 1 step, no update
        ProgressiveRecord.Stage last = done.get(m - 1);
        CramResult again = new Crammer(model, stage(1)).run(
                CramTask.ofIds(java.util.Arrays.copyOf(task.tokenIds(), last.length()), 2).withInit(saved.get(last.length())));
        assertEquals(1, again.record().trajectory().steps());
        assertEquals(1.0, again.record().metrics().bestAccuracy(), 0);
        assertArrayEquals(saved.get(last.length()), again.bestMemory(), 0f);
    }

    @Test
    void teacherForcedCriterionWithALowThresholdPassesLongerStages() {
        List<ProgressiveCrammer.Task> tasks = texts().subList(0, 2);
        ProgressiveCrammer tf = ProgressiveCrammer.builder(model).optSettings(stage(2)).optPolicy(StagePolicy.grow(2, 1))
                .optCriterion(ProgressiveCrammer.Criterion.TEACHER_FORCED).optThreshold(0.5).build();
        List<ProgressiveRecord> greedy = grow1(2).run(tasks, new ProgressiveCrammer.Listener() {});
        List<ProgressiveRecord> loose = tf.run(tasks, new ProgressiveCrammer.Listener() {});
        for (int i = 0; i < tasks.size(); i++) {
            assertEquals("teacher-forced", loose.get(i).criterion());
            for (ProgressiveRecord.Stage s : loose.get(i).stages()) {
                assertEquals(s.bestAccuracy() >= 0.5, s.passed());
            }
            assertTrue(loose.get(i).longestPassed() >= greedy.get(i).longestPassed(), "text " + i);
        }
    }

    @Test
    void aFailedWarmStageIsRetriedOnceFromARandomMemoryWhenAsked() {
        ProgressiveCrammer c = ProgressiveCrammer.builder(model).optSettings(stage(4)).optPolicy(StagePolicy.grow(2, 1))
                .optRestartOnFailure(true).build();
        List<ProgressiveRecord> rs = c.run(texts(), new ProgressiveCrammer.Listener() {});
        int retries = 0;
        for (ProgressiveRecord r : rs) {
            List<ProgressiveRecord.Stage> s = r.stages();
            for (int j = 0; j < s.size(); j++) {
                ProgressiveRecord.Stage st = s.get(j);
                if (!st.passed() && st.warmFrom() > 0) {
                    assertTrue(j + 1 < s.size(), "a failed warm stage is followed by its retry: " + s);
                    assertEquals(st.length(), s.get(j + 1).length());
                    assertEquals(0, s.get(j + 1).warmFrom(), "the retry starts from a random memory");
                    retries++;
                }
                if (j > 0 && s.get(j - 1).passed()) assertEquals(s.get(j - 1).length() + 1, st.length());
            }
            ProgressiveRecord.Stage last = s.get(s.size() - 1);
            assertTrue(last.passed() ? last.length() == 12 : last.warmFrom() == 0, "a text ends on a cold failure: " + s);
        }
        assertTrue(retries > 0, "the toy fails some warm stage");
    }

    /** A schedule's lengths when a text passes exactly up to {@code capacity} tokens. */
    private static List<Integer> lengths(StagePolicy p, int maxLength, IntPredicate passes) {
        List<ProgressiveRecord.Stage> h = new ArrayList<>();
        List<Integer> out = new ArrayList<>();
        for (OptionalInt n = p.next(h, maxLength); n.isPresent(); n = p.next(h, maxLength)) {
            int l = n.getAsInt();
            assertTrue(out.size() < 100, "schedule does not end: " + out);
            out.add(l);
            h.add(new ProgressiveRecord.Stage(h.size(), l, 0, 1, 0, 1, passes.test(l), l, l, 0, "solved", 0, null));
        }
        return out;
    }

    @Test
    void schedules() {
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 8), lengths(StagePolicy.grow(2, 1), 100, l -> l <= 7));
        assertEquals(List.of(4, 7, 10), lengths(StagePolicy.grow(4, 3), 100, l -> l <= 8));
        assertEquals(List.of(2, 4, 8, 9), lengths(StagePolicy.doubling(2), 9, l -> true));
        assertEquals(List.of(2, 4, 8, 16, 32), lengths(StagePolicy.doubling(2), 100, l -> l <= 20));
        assertEquals(List.of(2, 4, 8, 16, 12, 10, 11), lengths(StagePolicy.bisect(2), 100, l -> l <= 11));
        assertEquals(List.of(2, 4, 8, 16, 12, 14, 15), lengths(StagePolicy.bisect(2), 100, l -> l <= 15));
        assertEquals(List.of(4, 2, 3), lengths(StagePolicy.bisect(4), 100, l -> l <= 3));
        assertEquals(List.of(2, 4, 5), lengths(StagePolicy.bisect(2), 5, l -> true), "bounded by the text");
        assertEquals(List.of(4, 8, 16), lengths(StagePolicy.grid(List.of(16, 4, 8, 32)), 100, l -> l <= 8));
        assertEquals(List.of(4, 8, 16), lengths(StagePolicy.grid(List.of(4, 8, 16, 32)), 20, l -> true));
        assertThrows(CramException.class, () -> StagePolicy.grow(1, 1));
        assertThrows(CramException.class, () -> StagePolicy.grow(2, 0));
        assertFalse(StagePolicy.grid(List.of(4)).next(List.of(), 3).isPresent(), "no grid length fits a 3-token text");
    }
}
