package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.core.Json;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.RecordStore;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TextSpec;
import org.cramlab.run.RunStoreTest;
import org.cramlab.run.TestRecords;

class RunStoreTest {

    static ExperimentPlan plan(int texts) {
        List<RunSpec> runs = new ArrayList<>();
        for (int t = 0; t < texts; t++) {
            for (int len : new int[] {8, 16, 32}) {
                runs.add(new RunSpec("/models/m", "m", new TextSpec("book", null, t, 1), len, 1, 42, OptimiserSettings.paper()));
            }
        }
        return new ExperimentPlan("test", runs);
    }

    @Test
    void runIdIsStableAndContentDerived() {
        RunSpec a = new RunSpec("/a/m", "m", new TextSpec("book", null, 3, 1), 64, 1, 42, OptimiserSettings.paper());
        RunSpec sameElsewhere = new RunSpec("/other/path/m", "m", new TextSpec("book", null, 3, 1), 64, 1, 42,
                OptimiserSettings.paper());
        assertEquals(a.runId(), sameElsewhere.runId(), "model dir is not part of the id");
        assertEquals(16, a.runId().length());
        assertTrue(a.runId().matches("[0-9a-f]{16}"));
        // Pinned: stores written by earlier versions must keep resolving. Change only with a migration.
        assertEquals("{\"model_id\":\"m\",\"text\":{\"source\":\"book\",\"index\":3,\"seed\":1},\"length\":64,\"n_mem\":1,"
                + "\"seed\":42,\"settings\":{\"lr\":0.01,\"beta1\":0.9,\"beta2\":0.9,\"weight_decay\":0.01,\"eps\":1.0E-8,"
                + "\"max_steps\":5000,\"patience\":2000}}", a.canonicalJson());
        Set<String> variants = Set.of(a.runId(),
                new RunSpec(null, "m2", a.text(), 64, 1, 42, a.settings()).runId(),
                new RunSpec(null, "m", new TextSpec("book", null, 4, 1), 64, 1, 42, a.settings()).runId(),
                new RunSpec(null, "m", a.text(), 65, 1, 42, a.settings()).runId(),
                new RunSpec(null, "m", a.text(), 64, 2, 42, a.settings()).runId(),
                new RunSpec(null, "m", a.text(), 64, 1, 43, a.settings()).runId(),
                new RunSpec(null, "m", a.text(), 64, 1, 42, a.settings().withSteps(100, 50)).runId());
        assertEquals(7, variants.size(), "every field changes the id");
    }

    @Test
    void planRoundTripsThroughJsonWithSameIds(@TempDir Path dir) {
        ExperimentPlan p = plan(3);
        Path f = dir.resolve("plan.json");
        p.save(f);
        ExperimentPlan back = ExperimentPlan.load(f);
        assertEquals(p, back);
        assertEquals(p.runs().stream().map(RunSpec::runId).toList(), back.runs().stream().map(RunSpec::runId).toList());
    }

    @Test
    void badPlanFileNamesFileAndField(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"name\":\"x\",\"runs\":[{\"model_id\":\"m\",\"text\":{\"source\":\"book\",\"index\":0},"
                + "\"length\":16,\"n_mem\":0,\"seed\":1,\"settings\":{\"lr\":0.01,\"max_steps\":10,\"patience\":5}}]}");
        ExperimentException e = assertThrows(ExperimentException.class, () -> ExperimentPlan.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("n_mem"), e.getMessage());
        Files.writeString(f, "[1,2");
        assertThrows(ExperimentException.class, () -> ExperimentPlan.load(f));
    }

    @Test
    void shardsPartitionThePlan() {
        ExperimentPlan p = plan(10);
        for (int n : new int[] {1, 3, 7}) {
            List<String> all = new ArrayList<>();
            for (int i = 0; i < n; i++) p.shard(i, n).forEach(r -> all.add(r.runId()));
            assertEquals(p.runs().size(), all.size());
            assertEquals(p.runs().stream().map(RunSpec::runId).collect(Collectors.toSet()), Set.copyOf(all));
        }
        assertThrows(ExperimentException.class, () -> p.shard(3, 3));
    }

    @Test
    void resumeAfterCrashReadsFinishedRunsAndSkipsTruncatedLine(@TempDir Path dir) throws Exception {
        ExperimentPlan p = plan(2);
        try (RunFolder f = RunFolder.open(dir, "w1")) {
            f.append(TestRecords.forSpec(p.runs().get(0), 1.0));
            f.append(TestRecords.forSpec(p.runs().get(1), 0.9));
        }
        // Simulated crash: the third record was half written.
        Path file = dir.resolve("records/w1.jsonl");
        String third = Json.COMPACT.toJson(TestRecords.forSpec(p.runs().get(2), 0.5));
        Files.writeString(file, third.substring(0, third.length() / 2), StandardOpenOption.APPEND);

        RecordStore store = RecordStore.read(dir);
        assertEquals(2, store.size());
        assertEquals(1, store.warnings().size());
        assertTrue(store.warnings().get(0).contains("w1.jsonl:3"), store.warnings().get(0));
        List<RunSpec> missing = p.missing(store.ids());
        assertEquals(p.runs().subList(2, p.runs().size()), missing);

        // The resumed writer appends after the broken tail; the new record is readable.
        try (RunFolder f = RunFolder.open(dir, "w1")) {
            f.append(TestRecords.forSpec(p.runs().get(2), 0.5));
        }
        RecordStore after = RecordStore.read(dir);
        assertEquals(3, after.size());
        assertEquals(0.5, after.get(p.runs().get(2).runId()).metrics().bestAccuracy());
    }

    @Test
    void writersAreMergedWithOneRecordPerRunId(@TempDir Path dir) {
        ExperimentPlan p = plan(2);
        try (RunFolder a = RunFolder.open(dir, "shard-0-of-2"); RunFolder b = RunFolder.open(dir, "shard-1-of-2")) {
            for (int i = 0; i < 4; i++) a.append(TestRecords.forSpec(p.runs().get(i), 1.0));
            for (int i = 2; i < 6; i++) b.append(TestRecords.forSpec(p.runs().get(i), 1.0)); // 2 and 3 twice
        }
        RecordStore store = RecordStore.read(dir);
        assertEquals(6, store.size());
        assertEquals(p.runs().size(), store.of(p).size());
        assertTrue(p.missing(store.ids()).isEmpty());
        assertTrue(Files.exists(dir.resolve("records/shard-0-of-2.jsonl")));
        assertTrue(Files.exists(dir.resolve("records/shard-1-of-2.jsonl")));
    }

    @Test
    void paramsDescribeTheLatestSessionAndKeepEarlierOnes(@TempDir Path dir) throws Exception {
        try (RunFolder f = RunFolder.open(dir, "w1")) {
            Path first = f.writeParams(Map.of("profile", "smoke", "seed", 7));
            assertEquals(dir.resolve("params.json"), first);
            String json = Files.readString(first, StandardCharsets.UTF_8);
            assertTrue(json.contains("\"profile\": \"smoke\"") && json.contains("\"djl\"") && json.contains("start_time"), json);
            // params.json describes the latest session; the earlier one is kept as params-1.json
            assertEquals(dir.resolve("params.json"), f.writeParams(Map.of("profile", "paper")));
            assertTrue(Files.readString(dir.resolve("params.json")).contains("\"profile\": \"paper\""));
            assertTrue(Files.readString(dir.resolve("params-1.json")).contains("\"seed\": 7"));
            f.writeParams(Map.of("profile", "third"));
            assertTrue(Files.readString(dir.resolve("params-2.json")).contains("\"profile\": \"paper\""));
        }
        assertThrows(ExperimentException.class, () -> RunFolder.open(dir, "bad/name"));
    }

    @Test
    void runFoldersWrittenBeforeTheRecordPartsStillLoad(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("records"));
        Files.copy(Path.of("src/test/resources/records/format-2026-12-04.jsonl"), dir.resolve("records/old.jsonl"));
        RecordStore store = RecordStore.read(dir);
        assertEquals(3, store.size());
        assertTrue(store.warnings().isEmpty(), store.warnings().toString());
        assertEquals(2, store.get("6319bd7f39e03de9").settings().nMem());
        assertEquals("book:3", store.get("6319bd7f39e03de9").text().textId());
    }
}
