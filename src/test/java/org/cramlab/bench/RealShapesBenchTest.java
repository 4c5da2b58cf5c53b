package org.cramlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench gemm's shapes and tables, --shapes and --warmup-length: arithmetic and checks, nothing timed. */
class RealShapesBenchTest {

    @TempDir
    Path tmp;

    /** Sum over one step's calls of the weights' sizes: the matmul parameters P_matmul of the model. */
    private static long matmulWeights(List<GemmShape> shapes) {
        return shapes.stream().mapToLong(s -> (long) s.perStep() * s.dIn() * s.dOut()).sum();
    }

    @Test
    void pythiaShapesCoverEveryMatmulWeightOnce() {
        List<GemmShape> shapes = GemmShape.of("pythia-160m", List.of(64));
        assertEquals(5, shapes.size());
        assertTrue(shapes.stream().allMatch(s -> s.t() == 65), "T = K + L");
        // 12 x (768*2304 + 768*768 + 2*768*3072) + 768*50304 (untied head), counted by hand
        assertEquals(123_568_128L, matmulWeights(shapes));
        GemmShape qkv = shapes.get(0);
        assertEquals(2.0 * 65 * 768 * 2304, qkv.flops());
        assertEquals("768x2304", qkv.dims());
    }

    @Test
    void llamaShapesMatchTheOneBillionModel() {
        List<GemmShape> shapes = GemmShape.of("llama-3.2-1b", List.of(64, 256));
        assertEquals(10, shapes.size());
        List<GemmShape> at64 = shapes.subList(0, 5);
        // 16 x (2 x 2048^2 + 2 x 2048*512 + 3 x 2048*8192) + tied head 2048*128256: Llama-3.2-1B's 1.236 B
        // parameters less its norms
        assertEquals(1_235_746_816L, matmulWeights(at64));
        assertEquals(257, shapes.get(5).t());
    }

    @Test
    void unknownShapeIsRefusedWithTheKnownOnes() {
        BenchException e = assertThrows(BenchException.class, () -> GemmShape.of("gpt-5", List.of(64)));
        assertTrue(e.getMessage().contains("gpt-5") && e.getMessage().contains("llama-3.2-1b"), e.getMessage());
        assertThrows(BenchException.class,
                () -> new GemmBench.Options(List.of("gpt-5"), 1, 3, 100, false, null, null));
        assertThrows(BenchException.class,
                () -> new GemmBench.Options(List.of("pythia-160m"), 1, 0, 100, false, null, null));
    }

    @Test
    void stepSummaryWeighsEachShapeByItsCallsPerStep() {
        List<GemmBench.Result> results = new java.util.ArrayList<>();
        for (GemmShape s : GemmShape.of("pythia-160m", List.of(64))) {
            // cramlab 2 ms, torch 1 ms per call of every shape: the step's sum is 2 x calls x (forward + backward)
            results.add(new GemmBench.Result(s, "forward", Timing.of(new double[] {2}), Timing.of(new double[] {1})));
            results.add(new GemmBench.Result(s, "backward", Timing.of(new double[] {2}), Timing.of(new double[] {1})));
        }
        BenchReport report = new BenchReport();
        GemmTable.add(report, results);
        BenchReport.Row step = report.rows().stream().filter(r -> r.metric().equals("step matmuls cramlab"))
                .findFirst().orElseThrow();
        assertEquals((12 * 4 + 1) * 2 * 2.0, step.value(), 1e-9);
        assertEquals(64, step.length());
        String text = report.text();
        assertTrue(text.contains("Matmuls of one step"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("pythia-160m") && l.trim().endsWith("2.00")), text);
    }

    @Test
    void warmupLengthAndShapesAreChecked() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("m"));
        assertThrows(BenchException.class, () -> BenchOptions.builder().optModelDir(model).optWarmupLength(1).build());
        assertThrows(BenchException.class, () -> BenchOptions.builder().optModelDir(model).optWarmupLength(16)
                .optLengthWarmup(0).build());
        Path shapes = Files.createDirectories(tmp.resolve("shapes"));
        BenchException e = assertThrows(BenchException.class,
                () -> BenchOptions.builder().optModelDir(model).optShapesDir(shapes).build());
        assertTrue(e.getMessage().contains("pythia-160m-random") && e.getMessage().contains("make_random_model.py"),
                e.getMessage());

        for (String s : BenchOptions.SHAPE_DIRS) {
            Path dir = Files.createDirectories(shapes.resolve(s + "-random"));
            Files.writeString(dir.resolve("config.json"), "{}");
        }
        BenchOptions o = BenchOptions.builder().optModelDir(model).optShapesDir(shapes).optThreads(2).optWarmup(200)
                .optWarmupLength(16).optLengthWarmup(4).optSteps(7).build();
        assertEquals(4, o.warmupAtLength());
        assertEquals(List.of(shapes.resolve("pythia-160m-random"), shapes.resolve("llama-3.2-1b-random")), o.shapeModels());
        BenchOptions llama = o.forShape(o.shapeModels().get(1), BenchOptions.SHAPE_LENGTHS.get("llama-3.2-1b"));
        assertEquals(List.of(64, 256), llama.lengths);
        assertEquals(2, llama.threads);
        assertEquals(7, llama.steps);
        assertEquals(16, llama.warmupLength);
        assertEquals(List.of(), llama.peakLengths, "step times only");
        assertEquals(0, llama.loadShards);
        assertEquals(List.of(), llama.shapeModels());
        assertEquals("200 warm-up at L = 16 + 4 at each L", StepTable.warmup(o));
        assertEquals(200, BenchOptions.builder().optModelDir(model).optWarmup(200).build().warmupAtLength());
    }

    @Test
    void summaryTableHasEveryModelsLengths() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("m2"));
        BenchOptions o = BenchOptions.builder().optModelDir(model).optSteps(5).build();
        Timing ours = Timing.of(new double[] {30});
        Timing theirs = Timing.of(new double[] {40});
        Map<String, List<StepBench.Result>> byModel = new LinkedHashMap<>();
        byModel.put("default", List.of(result(64, ours, theirs), result(256, ours, theirs)));
        byModel.put("llama-3.2-1b-random", List.of(result(64, ours, null)));
        BenchReport report = new BenchReport();
        StepTable.summary(report, o, byModel);
        List<String> lines = report.text().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches("default\\s+256\\s+30\\.0\\s+40\\.0\\s+0\\.75")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("llama-3.2-1b-random\\s+64\\s+30\\.0\\s+skipped\\s+n/a")),
                lines.toString());
    }

    private static StepBench.Result result(int length, Timing ours, Timing theirs) {
        return new StepBench.Result(length, ours, theirs, null, null, null, -1, 0, 0, 1,
                new StepBench.LiveArrays(-1, -1, -1), -1);
    }
}
