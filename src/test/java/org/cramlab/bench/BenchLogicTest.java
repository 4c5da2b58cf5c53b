package org.cramlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's arithmetic and parsing; nothing here is timed. */
class BenchLogicTest {

    @TempDir
    Path tmp;

    @Test
    void percentilesMatchPythonInclusiveQuantiles() {
        // statistics.quantiles([1..10], n=10, method="inclusive") = [1.9, 2.8, ..., 9.1]; median 5.5
        double[] xs = {7, 3, 10, 1, 5, 2, 9, 4, 8, 6};
        Timing t = Timing.of(xs);
        assertEquals(5.5, t.median(), 1e-12);
        assertEquals(1.9, t.p10(), 1e-12);
        assertEquals(9.1, t.p90(), 1e-12);
        assertEquals(10, t.n());
        assertEquals(7, xs[0], "input must not be reordered");
        Timing one = Timing.of(new double[] {4.25});
        assertEquals(4.25, one.p10());
        assertEquals(4.25, one.p90());
        assertThrows(BenchException.class, () -> Timing.of(new double[0]));
    }

    @Test
    void ratioIsOursOverReferenceAndNaNWithoutReference() {
        Timing ours = Timing.of(new double[] {30, 30, 30});
        Timing ref = Timing.of(new double[] {40, 40, 40});
        assertEquals(0.75, Timing.ratio(ours, ref), 1e-12);
        assertTrue(Double.isNaN(Timing.ratio(ours, null)));
    }

    @Test
    void procStatusParsesKernelFormat() {
        String status = """
                Name:\tjava
                VmPeak:\t 9000000 kB
                VmHWM:\t  812344 kB
                VmRSS:\t  790000 kB
                RssAnon:\t  700000 kB
                RssFile:\t   89000 kB
                RssShmem:\t    1000 kB
                Threads:\t42
                """;
        ProcStatus s = ProcStatus.parse(status);
        assertEquals(790000, s.rssKb());
        assertEquals(812344, s.hwmKb());
        assertEquals(700000, s.anonKb());
        assertEquals(89000, s.fileKb());
        assertThrows(BenchException.class, () -> ProcStatus.parse("Name:\tjava\n"));
        assertThrows(BenchException.class, () -> ProcStatus.parse("VmRSS:\t12 MB\nVmHWM:\t13 kB\n"));
    }

    @Test
    void procStatusOfThisProcessIsPlausible() {
        if (!ProcStatus.available()) {
            return; // not Linux
        }
        ProcStatus s = ProcStatus.read();
        assertTrue(s.rssKb() > 1000, "a JVM is bigger than 1 MB: " + s);
        assertTrue(s.hwmKb() >= s.rssKb(), "peak >= current: " + s);
    }

    @Test
    void flatMeansGrowthWithinTolerance() {
        ProcStatus mid = new ProcStatus(1_000_000, 1_000_000, 0, 0);
        assertTrue(MemoryBench.flat(mid, new ProcStatus(1_009_000, 1_020_000, 0, 0)));
        assertTrue(MemoryBench.flat(mid, new ProcStatus(900_000, 1_020_000, 0, 0)));
        assertFalse(MemoryBench.flat(mid, new ProcStatus(1_011_000, 1_011_000, 0, 0)));
    }

    /** A libtorch profiler trace: nested ops on thread 1, one op on thread 2, an instant event. */
    private static com.google.gson.JsonArray trace() {
        return com.google.gson.JsonParser.parseString("""
                [{"name": "aten::linear", "tid": 1, "ts": 0, "dur": 10},
                 {"name": "aten::matmul", "tid": 1, "ts": 1, "dur": 5},
                 {"name": "aten::mm", "tid": 1, "ts": 2, "dur": 3},
                 {"name": "aten::add", "tid": 1, "ts": 10, "dur": 2},
                 {"name": "MmBackward0", "tid": 2, "ts": 3, "dur": 4},
                 {"name": "aten::t", "tid": 1, "ts": 12, "dur": 0},
                 {"name": "aten::mm", "tid": 1, "ts": 20, "dur": 4},
                 {"name": "marker", "tid": 1, "ts": 4, "ph": "i"}]
                """).getAsJsonArray();
    }

    /** Ops nested in another op of the same thread are not counted; other threads and instant events are apart. */
    @Test
    void opCountTakesTopLevelEventsPerThread() {
        // linear, add, t, the second mm on thread 1; MmBackward0 on thread 2
        assertEquals(5, new OpProfile(OpProfile.spans(trace()), 1, Double.NaN).opsPerStep());
        assertEquals(2.5, new OpProfile(OpProfile.spans(trace()), 2, Double.NaN).opsPerStep()); // per step
    }

    /** Self time is an op's duration minus its direct children's, summed per name and divided by the steps. */
    @Test
    void selfTimeSubtractsDirectChildrenPerThread() {
        java.util.List<OpProfile.Row> rows = new OpProfile(OpProfile.spans(trace()), 2, Double.NaN).selfTimes();
        assertEquals(java.util.List.of("aten::mm", "aten::linear", "MmBackward0", "aten::matmul", "aten::add", "aten::t"),
                rows.stream().map(OpProfile.Row::name).toList());
        assertEquals(0.0035, rows.get(0).selfMsPerStep(), 1e-12); // (3 + 4) us over 2 steps
        assertEquals(1.0, rows.get(0).callsPerStep(), 1e-12);
        assertEquals(0.0025, rows.get(1).selfMsPerStep(), 1e-12); // linear 10 - matmul 5
        assertEquals(0.001, rows.get(3).selfMsPerStep(), 1e-12); // matmul 5 - mm 3
        // with the wall time measured, the rest of it is one more row: 0.1 ms over 2 steps, 0.010 ms in ops
        java.util.List<OpProfile.Row> timed = new OpProfile(OpProfile.spans(trace()), 2, 0.1).selfTimes();
        assertEquals(OpProfile.OUTSIDE_OPS, timed.get(0).name());
        assertEquals(0.05 - 0.010, timed.get(0).selfMsPerStep(), 1e-12);
    }

    /** Per-step traces are laid one after the other (each has its own clock), so nesting stays within a step. */
    @Test
    void tracesOfStepsFollowEachOther() {
        var first = java.util.List.of(new OpProfile.Span("aten::linear", "1", 100, 50));
        var second = java.util.List.of(new OpProfile.Span("aten::linear", "1", 0, 50), new OpProfile.Span("aten::mm", "1", 10, 20));
        var shifted = OpProfile.after(first, second);
        assertEquals(151, shifted.get(0).start(), 1e-9);
        assertEquals(161, shifted.get(1).start(), 1e-9);
        var all = new java.util.ArrayList<>(first);
        all.addAll(shifted);
        // 2 steps: linear 50 + (50 - 20) self, mm 20: per step 40 and 10 us
        var rows = new OpProfile(all, 2, Double.NaN).selfTimes();
        assertEquals(0.040, rows.get(0).selfMsPerStep(), 1e-12);
        assertEquals(0.010, rows.get(1).selfMsPerStep(), 1e-12);
        assertEquals(1.0, new OpProfile(all, 2, Double.NaN).opsPerStep());
        assertEquals(java.util.List.of(new OpProfile.Row("aten::mm", 1, 3), new OpProfile.Row("aten::add", 0.5, 1)),
                OpProfile.mean(java.util.List.of(java.util.List.of(new OpProfile.Row("aten::mm", 1, 2)),
                        java.util.List.of(new OpProfile.Row("aten::mm", 1, 4), new OpProfile.Row("aten::add", 1, 2)))));
    }

    /** The profile table joins both sides by op name, largest first, and ends with the totals. */
    @Test
    void profileTableJoinsSidesByName() {
        var ours = java.util.List.of(new OpProfile.Row("aten::mm", 58, 90), new OpProfile.Row("forward", 4, 5));
        var theirs = java.util.List.of(new OpProfile.Row("aten::_scaled_dot_product_flash_attention_for_cpu", 4, 120),
                new OpProfile.Row("aten::mm", 58, 80));
        var rows = ProfileTable.rows(ours, theirs);
        assertEquals(java.util.List.of("aten::_scaled_dot_product_flash_attention_for_cpu", "-", "-", "4", "120.00"), rows.get(0));
        assertEquals(java.util.List.of("aten::mm", "58", "90.00", "58", "80.00"), rows.get(1));
        assertEquals(java.util.List.of("forward", "4", "5.00", "-", "-"), rows.get(2));
        assertEquals(java.util.List.of("step (all rows, not only those shown)", "62", "95.0", "62", "200.0"), rows.get(3));
        assertEquals("skipped", ProfileTable.rows(ours, null).get(0).get(3));
    }

    /** Live-array counts are the leak test: equal at every mark, and never "flat" when not measured. */
    @Test
    void liveArraysFlatOnlyWhenEqualAtEveryMark() {
        assertTrue(new StepBench.LiveArrays(45, 45, 45).flat());
        assertFalse(new StepBench.LiveArrays(45, 45, 46).flat());
        assertFalse(new StepBench.LiveArrays(45, 46, 46).flat());
        assertFalse(new StepBench.LiveArrays(-1, -1, -1).flat());
    }

    @Test
    void rssMarkIsStep100OrHalfAShortLoop() {
        assertEquals(100, MemoryBench.rssMark(1000));
        assertEquals(100, MemoryBench.rssMark(200));
        assertEquals(75, MemoryBench.rssMark(150));
        assertEquals(1, MemoryBench.rssMark(1));
    }

    @Test
    void csvQuotesAndFormatsNumbers() throws Exception {
        BenchReport r = new BenchReport();
        r.add("step", "my,model", 64, 1, "cramlab_median_ms", 12.5, "ms");
        r.add("step", "m\"q", 256, 1, "ratio", Double.NaN, "x");
        r.add("batch", "m", 64, 16, "runs_per_s", 3.0, "runs/s");
        r.add("batch", "m", 64, 16, "tiny", 1.23456789e-7, "x");
        Path f = tmp.resolve("sub/out.csv");
        r.writeCsv(f);
        List<String> lines = Files.readAllLines(f);
        assertEquals("section,model,L,B,metric,value,unit", lines.get(0));
        assertEquals("step,\"my,model\",64,1,cramlab_median_ms,12.5,ms", lines.get(1));
        assertEquals("step,\"m\"\"q\",256,1,ratio,,x", lines.get(2));
        assertEquals("batch,m,64,16,runs_per_s,3,runs/s", lines.get(3));
        assertEquals("batch,m,64,16,tiny,1.23457e-07,x", lines.get(4));
        assertEquals(5, lines.size());
    }

    @Test
    void tableAlignsColumnsAndRejectsRaggedRows() {
        String text = BenchReport.render(new BenchReport.Table("T", List.of("L", "name"),
                List.of(List.of("64", "a"), List.of("1024", "long name"))));
        List<String> lines = text.lines().toList();
        assertEquals("T", lines.get(0));
        assertEquals("L     name", lines.get(1));
        assertEquals("----  ---------", lines.get(2));
        assertEquals("  64  a", lines.get(3), "numbers right-aligned");
        assertEquals("1024  long name", lines.get(4));
        assertThrows(BenchException.class, () -> BenchReport.render(
                new BenchReport.Table("T", List.of("a", "b"), List.of(List.of("1")))));
    }

    @Test
    void flopEstimateFollowsTheDocumentedFormula() {
        Flops.Shape s = new Flops.Shape(1_000_000, 2, 64);
        // 4 * P * B * T + 12 * layers * T^2 * d * B with B = 3, T = 65
        double want = 4.0 * 1_000_000 * 3 * 65 + 12.0 * 2 * 65 * 65 * 64 * 3;
        assertEquals(want, Flops.perStep(s, 3, 65), 1e-6);
    }

    @Test
    void mambaHasNoAttentionTermAndCountsItsTiedHeadOnce() throws Exception {
        java.nio.file.Path dir = java.nio.file.Paths.get(getClass().getResource("/golden/mamba/config.json").toURI()).getParent();
        try (org.cramlab.model.CausalLM model = org.cramlab.model.Models.load(dir)) {
            Flops.Shape s = Flops.Shape.of(model.info(), org.cramlab.checkpoint.HfConfig.read(dir));
            assertEquals(0, s.layers());
            assertEquals(model.info().numParameters(), s.matmulParams());
            assertEquals(4.0 * s.matmulParams() * 33, Flops.perStep(s, 1, 33), 1e-6);
        }
    }

    @Test
    void gpuNamesMapToTheirPeaks() {
        assertEquals(312.0, Flops.peakFor("NVIDIA A100-SXM4-80GB"));
        assertEquals(70.0, Flops.peakFor("NVIDIA A10G"));
        assertEquals(125.0, Flops.peakFor("NVIDIA A10"));
        assertEquals(756.0, Flops.peakFor("NVIDIA H100 PCIe"));
        assertEquals(989.0, Flops.peakFor("NVIDIA H100 80GB HBM3"));
        assertEquals(165.0, Flops.peakFor("NVIDIA GeForce RTX 4090"));
        assertNull(Flops.peakFor("Tesla V100-SXM2-16GB"), "no bf16 on V100");
    }

    @Test
    void randomIdsAreSeededAndInRange() {
        int[] a = BatchBench.randomIds(100, 50, 7);
        int[] b = BatchBench.randomIds(100, 50, 7);
        assertEquals(50, a.length);
        assertTrue(java.util.Arrays.equals(a, b));
        assertTrue(java.util.Arrays.stream(a).allMatch(i -> i >= 0 && i < 100));
        assertFalse(java.util.Arrays.equals(a, BatchBench.randomIds(100, 50, 8)));
    }

    @Test
    void throughputArithmetic() {
        BatchBench.Result r = new BatchBench.Result(16, 64, 20, 4.0);
        assertEquals(4.0, r.runsPerSecond(), 1e-12);
        assertEquals(200.0, r.msPerStep(), 1e-12);
        assertEquals(16.0 * 64 * 20 / 4.0, r.tokensPerSecond(), 1e-9);
        LoadBench.Result l = new LoadBench.Result(100L << 20, 3, 1000, 1000 + 110 * 1024, 0, 0, 1.0);
        assertEquals(1.10, l.ratio(), 1e-12);
    }

    @Test
    void generatedCheckpointIsShardedAndLoads() throws Exception {
        LoadBench.Shape4 shape = new LoadBench.Shape4(96, 32, 48, 2, 4);
        long bytes = LoadBench.writeCheckpoint(tmp, shape, 3, 1);
        try (var files = Files.list(tmp)) {
            assertEquals(3, files.filter(p -> p.toString().endsWith(".safetensors")).count());
        }
        assertEquals(bytes, sizeOf(tmp, ".safetensors"));
        assertTrue(bytes >= shape.params() * 4, "float32 weights: " + bytes);
        try (org.cramlab.model.CausalLM m = org.cramlab.model.Models.load(tmp);
                org.cramlab.checkpoint.Safetensors st = new org.cramlab.checkpoint.ModelDirectory(tmp).openWeights()) {
            assertEquals(shape.params(), m.info().numParameters());
            assertEquals(3, st.files().size());
        }
    }

    private static long sizeOf(Path dir, String suffix) throws Exception {
        try (var files = Files.list(dir)) {
            long n = 0;
            for (Path p : files.filter(p -> p.toString().endsWith(suffix)).toList()) {
                n += Files.size(p);
            }
            return n;
        }
    }

    @Test
    void badOptionsAreRejectedWithTheirValue() {
        BenchException e = assertThrows(BenchException.class,
                () -> BenchOptions.builder().optModelDir(tmp).optLoadShards(1).build());
        assertTrue(e.getMessage().contains("--load-shards"), e.getMessage());
        e = assertThrows(BenchException.class,
                () -> BenchOptions.builder().optModelDir(tmp.resolve("nope")).build());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertThrows(BenchException.class, () -> new StepBench.Plan(0, 10, 5, 10, 5));
    }

    /** Native libraries' warnings on the reference's stdout are skipped; a JSON object line is the answer. */
    @Test
    void referenceAnswersAreFoundAmongNoise() throws Exception {
        String out = String.join("\n",
                "[1733287821.12] [host:7] UCX WARN  unable to read /proc/cpuinfo",
                "Error in cpuinfo: failed to parse the list of possible processors in /sys/devices/system/cpu/possible",
                "{not json at all}",
                "",
                "{\"ready\": true, \"threads\": 2}",
                "{\"times_ms\": [1.5]}") + "\n";
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.StringReader(out));
        List<String> noise = new java.util.ArrayList<>();
        com.google.gson.JsonObject first = TorchReference.readAnswer(in, noise);
        assertTrue(first.get("ready").getAsBoolean());
        assertEquals(3, noise.size(), noise.toString());
        assertTrue(noise.get(0).contains("UCX"));
        assertEquals(1.5, TorchReference.readAnswer(in, noise).getAsJsonArray("times_ms").get(0).getAsDouble());
        assertNull(TorchReference.readAnswer(in, noise), "end of stream");
    }

    @Test
    void theReferenceTreeHasNoBuiltInPath() {
        assertEquals(tmp, TorchReference.tree(tmp), "--torch-tree wins");
        String why = TorchReference.unavailableReason(null, tmp);
        assertTrue(why.contains("--torch-tree") && why.contains("CRAMLAB_HF_REF"), why);
        assertTrue(TorchReference.unavailableReason(tmp, tmp).contains("no sid tree with python3 at " + tmp));
    }

    @Test
    void mountPointsAreReadFromMountinfo() {
        assertTrue(TorchReference.isMountPoint(Path.of("/proc")));
        assertFalse(TorchReference.isMountPoint(tmp));
    }

    /** A copy with more positions for rotary models (weights linked, config rewritten); none for learned positions. */
    @Test
    void positionsAreRaisedOnlyForRotaryModels() throws Exception {
        Path llama = tmp.resolve("llama");
        Files.createDirectories(llama);
        Files.writeString(llama.resolve("config.json"), "{\"model_type\": \"llama\", \"max_position_embeddings\": 1024}");
        Files.writeString(llama.resolve("model.safetensors"), "weights");
        Path copy;
        try (RaisedPositions raised = RaisedPositions.of(llama, 2049)) {
            copy = raised.dir();
            assertEquals(2049, org.cramlab.checkpoint.HfConfig.read(copy).requireInt("max_position_embeddings"));
            assertEquals("weights", Files.readString(copy.resolve("model.safetensors")));
            assertEquals(1024, org.cramlab.checkpoint.HfConfig.read(llama).requireInt("max_position_embeddings"),
                    "the original stays as it is");
        }
        assertFalse(Files.exists(copy), "the copy is deleted on close");
        Path gpt2 = tmp.resolve("gpt2");
        Files.createDirectories(gpt2);
        Files.writeString(gpt2.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_positions\": 1024}");
        assertNull(RaisedPositions.of(gpt2, 2049), "learned positions cannot be extended");
    }
}
