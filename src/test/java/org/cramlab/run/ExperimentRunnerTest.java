package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.cramlab.experiment.MemoryGeometry;
import org.cramlab.cram.Memory;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.cram.RunRecord;
import org.cramlab.core.Progress;
import org.cramlab.report.Aggregates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TextResolver;
import org.cramlab.run.TextSpec;
import org.cramlab.run.ExperimentRunnerTest;

/** The runner end to end on the tiny golden Llama (d = 64, vocab 256): records, memories, resume. */
class ExperimentRunnerTest {
    static final Path MODEL = Path.of("src/test/resources/golden/llama");

    /** Deterministic token ids per text index, all inside the golden model's 256-token vocabulary. */
    static final TextResolver IDS = (spec, length, tokenizer) -> {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = (31 * spec.index() + 7 * i * i + 3 * i + 5) % 256;
        return new TextResolver.Resolved("ids of " + spec.id(), ids);
    };

    static ExperimentPlan plan() {
        OptimiserSettings s = OptimiserSettings.paper().withSteps(12, 6);
        List<RunSpec> runs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            for (int len : new int[] {6, 10}) {
                for (long seed : new long[] {1, 2}) {
                    runs.add(new RunSpec(MODEL.toString(), "golden-llama", new TextSpec("book", null, t, 0), len, 1, seed, s));
                }
            }
        }
        return new ExperimentPlan("runner-test", runs);
    }

    static ExperimentRunner runner(TextResolver texts, List<Progress.State> states) {
        return ExperimentRunner.builder().optTexts(texts).optBatchSize(3).optParams(Map.of("profile", "test"))
                .optProgress(new Progress.Starter((state, last) -> states.add(state))).build();
    }

    @Test
    void runsRecordsAndResumesWithoutRecomputing(@TempDir Path dir) throws Exception {
        ExperimentPlan plan = plan();
        List<Progress.State> states = new ArrayList<>();
        ExperimentRunner.Result first;
        try (RunFolder folder = RunFolder.open(dir, "w")) {
            first = runner(IDS, states).run(plan, folder);
        }
        assertEquals(8, first.computed());
        assertEquals(0, first.reused());
        assertEquals(8, states.get(states.size() - 1).done(), "progress reached runs done = total");
        assertEquals(8, states.get(states.size() - 1).total());
        List<RunRecord> records = first.records();
        assertEquals(8, records.size());
        for (int i = 0; i < 8; i++) {
            RunSpec s = plan.runs().get(i);
            RunRecord r = records.get(i);
            assertEquals(s.runId(), r.runId());
            assertEquals(s.text().id(), r.text().textId());
            assertEquals(s.seed(), r.settings().seed());
            assertEquals(s.length(), r.text().length());
            assertEquals("golden-llama", r.settings().modelId());
            assertTrue(r.trajectory().steps() >= 1 && r.trajectory().steps() <= 12 && r.trajectory().losses().size() == r.trajectory().steps());
            float[] m = Memory.load(dir.resolve(r.memoryFile()), 1, 64);
            assertEquals(64, m.length);
        }
        // same text and length, different init seeds: different starting points
        assertNotEquals(records.get(0).trajectory().losses().get(0), records.get(1).trajectory().losses().get(0));
        assertTrue(Files.exists(dir.resolve("params.json")) && Files.exists(dir.resolve("plan.json")));
        assertEquals(plan, ExperimentPlan.load(dir.resolve("plan.json")));

        // Memory geometry on the saved memories: the best memory reconstructs exactly its best accuracy.
        Map<RunRecord, float[]> memories = MemoryGeometry.readMemories(dir, records);
        assertEquals(8 * 7 / 2, MemoryGeometry.cosineSimilarities(memories).rowCount());
        try (CausalLM model = Models.load(MODEL)) {
            double[] acc = MemoryGeometry.teacherForced(model, 4).accuracies(records, List.copyOf(memories.values()));
            for (int i = 0; i < records.size(); i++) {
                assertEquals(records.get(i).metrics().bestAccuracy(), acc[i], 1e-6, "teacher-forced accuracy of the saved best memory");
            }
            Map<RunRecord, float[]> twoSolutions = new java.util.LinkedHashMap<>();
            twoSolutions.put(records.get(0), memories.get(records.get(0)));
            twoSolutions.put(records.get(1), memories.get(records.get(1)));
            tech.tablesaw.api.Table line = MemoryGeometry.interpolation(twoSolutions, 3, MemoryGeometry.teacherForced(model, 4));
            assertEquals(3, line.rowCount());
            assertEquals(records.get(0).metrics().bestAccuracy(), line.doubleColumn("accuracy").get(0), 1e-6, "alpha 0 is solution 1");
        }
        // Figure 8 from the run folder walks between solutions only (these 12-step runs solve nothing, so two of
        // them, same text and length, are marked solved): one pair, 3 points, starting at the first one's memory
        assertEquals(0, MemoryGeometry.interpolation(dir, plan, records, 3, 4).rowCount(), "no solutions, no walk");
        assertEquals(records.get(0).text().textId(), records.get(1).text().textId());
        List<RunRecord> marked = new ArrayList<>(records);
        for (int i : new int[] {0, 1}) marked.set(i, records.get(i).toBuilder().bestAccuracy(1.0).build());
        tech.tablesaw.api.Table walk = MemoryGeometry.interpolation(dir, plan, marked, 3, 4);
        assertEquals(3, walk.rowCount(), walk.print());
        assertEquals(records.get(0).runId() + "-" + records.get(1).runId(), walk.stringColumn("pair").get(0));
        assertEquals(records.get(0).metrics().bestAccuracy(), walk.doubleColumn("accuracy").get(0), 1e-6);

        // Rerun: nothing computed; a resolver that fails proves no run is even prepared.
        TextResolver refuse = (spec, length, tok) -> {
            throw new AssertionError("recomputed " + spec.id());
        };
        try (RunFolder folder = RunFolder.open(dir, "w2")) {
            ExperimentRunner.Result again = runner(refuse, new ArrayList<>()).run(plan, folder);
            assertEquals(0, again.computed());
            assertEquals(8, again.reused());
        }

        // Crash: the last record was half written. Only that run is recomputed, by a new writer.
        Path file = dir.resolve("records/w.jsonl");
        List<String> lines = Files.readAllLines(file);
        String last = lines.remove(lines.size() - 1);
        Files.write(file, lines);
        Files.writeString(file, last.substring(0, last.length() / 3), StandardOpenOption.APPEND);
        AtomicInteger resolved = new AtomicInteger();
        TextResolver counting = (spec, length, tok) -> {
            resolved.incrementAndGet();
            return IDS.resolve(spec, length, tok);
        };
        try (RunFolder folder = RunFolder.open(dir, "w3")) {
            ExperimentRunner.Result resumed = runner(counting, new ArrayList<>()).run(plan, folder);
            assertEquals(1, resumed.computed());
            assertEquals(1, resolved.get());
            assertEquals(8, resumed.records().size());
            assertEquals(1, resumed.store().warnings().size());
        }
    }

    @Test
    void wrongTokenCountIsAClearError(@TempDir Path dir) {
        TextResolver tooShort = (spec, length, tok) -> new TextResolver.Resolved("x", new int[] {1, 2});
        ExperimentPlan plan = new ExperimentPlan("short", plan().runs().subList(0, 1));
        try (RunFolder folder = RunFolder.open(dir, "w")) {
            ExperimentException e = assertThrows(ExperimentException.class,
                    () -> runner(tooShort, new ArrayList<>()).run(plan, folder));
            assertTrue(e.getMessage().contains("book:0") && e.getMessage().contains("L = 6"), e.getMessage());
        }
    }
}
