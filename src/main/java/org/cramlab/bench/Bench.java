package org.cramlab.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LoadOptions;
import org.cramlab.model.Models;

/**
 * The benchmark of issue 7: step time against the PyTorch reference per length, batched-engine
 * throughput, step-loop memory and checkpoint-loading memory. Not a test: it prints measurements.
 */
public final class Bench {

    /**
     * Step-loop RSS may grow by at most this fraction over the second half of the loop to count as
     * flat: a leak grows with every step, while allocator and JIT warm-up settle early.
     */
    static final double FLAT_TOLERANCE = 0.01;

    private final Options o;
    private final PrintWriter log;
    private final Report report = new Report();
    private final Map<Integer, Double> opsPerStep = new HashMap<>(); // --count-ops, by L

    private Bench(Options o, PrintWriter log) {
        this.o = o;
        this.log = log;
    }

    /** Runs every part the options ask for; progress goes to {@code log}. */
    public static Report run(Options options, PrintWriter log) {
        return new Bench(options, log).all();
    }

    private Report all() {
        report.note("machine: " + machine());
        report.note("load average at start: " + loadAverage());
        Device device = o.gpu ? Device.gpu() : Device.cpu();
        String name = o.modelDir.getFileName().toString();
        if (!o.skipSteps || o.batches.size() > 0) {
            try (CausalLM model = load(device)) {
                Flops.Shape shape = Flops.Shape.of(model.info(), HfConfig.read(o.modelDir));
                report.note(String.format(Locale.ROOT, "model: %s (%s, %,d params, d %d, vocab %d, %d positions), K = 1,"
                                + " device %s, %d threads", name, model.info().modelType(), model.info().numParameters(),
                        model.info().hiddenSize(), model.info().vocabSize(), model.info().maxPositions(), device,
                        o.threads));
                if (!o.skipSteps) {
                    steps(model, name, shape);
                }
                if (!o.batches.isEmpty()) {
                    batches(model, name, shape);
                }
            }
        }
        if (o.loadShards > 0) {
            load();
        }
        report.note("load average at end: " + loadAverage());
        return report;
    }

    private CausalLM load(Device device) {
        try {
            return Models.load(o.modelDir, LoadOptions.builder().optDevice(device).build());
        } catch (RuntimeException e) {
            if (!o.gpu || e instanceof org.cramlab.checkpoint.CheckpointException) {
                throw e;
            }
            // e.g. a CPU-only libtorch (as on Maven Central for PyTorch 2.7.1) or no CUDA driver
            throw new BenchException("--device gpu: cannot put the model on " + device + " (" + e.getMessage()
                    + "); DJL needs a CUDA build of libtorch and a GPU", e);
        }
    }

    // ---- step time vs torch, step-loop memory ----

    private void steps(CausalLM model, String name, Flops.Shape shape) {
        List<Integer> lengths = new ArrayList<>();
        for (int l : o.lengths) {
            if (1 + l <= model.info().maxPositions()) {
                lengths.add(l);
            } else {
                report.note("L = " + l + " skipped: K + L exceeds the model's " + model.info().maxPositions() + " positions");
            }
        }
        lengths.sort(null);
        if (lengths.isEmpty()) {
            return;
        }
        TorchReference torch = openTorch();
        List<StepBench.Result> results = new ArrayList<>();
        try {
            for (int i = 0; i < lengths.size(); i++) {
                int l = lengths.get(i);
                // The shortest length also runs the long step loop for the memory figures.
                boolean memory = i == 0 && o.rssSteps > 0;
                int total = memory ? Math.max(o.rssSteps, o.warmup + o.steps) : o.warmup + o.steps;
                StepBench.Plan plan = new StepBench.Plan(o.warmup, o.steps, o.chunk, total, rssMark(total));
                log.printf("step time L=%d: %d warm-up + %d timed steps%s%s%n", l, o.warmup, o.steps,
                        torch == null ? "" : ", torch interleaved every " + o.chunk,
                        total > o.warmup + o.steps ? ", then to step " + total + " for memory" : "");
                log.flush();
                int[] ids = BatchBench.randomIds(model.info().vocabSize(), l, o.seed + l);
                StepBench.Result r;
                try {
                    r = StepBench.run(model, ids, plan, torch, step -> {
                        log.printf("  step %d/%d%n", step, plan.totalSteps());
                        log.flush();
                    });
                } catch (BenchException e) {
                    if (torch == null) {
                        throw e;
                    }
                    report.note("step benchmark with torch failed at L = " + l + ", repeated without torch: "
                            + e.getMessage());
                    torch.close();
                    torch = null;
                    r = StepBench.run(model, ids, plan, null);
                }
                results.add(r);
                if (o.countOps) {
                    opsPerStep.put(l, OpCounter.perStep(model, ids, OP_COUNT_WARMUP, OP_COUNT_STEPS));
                }
                log.printf(Locale.ROOT, "  L=%d: cramlab %.1f ms, torch %s, ratio %s%n", l, r.cramlab().median(),
                        r.torch() == null ? "skipped" : Report.fmt(r.torch().median(), 1) + " ms", Report.fmt(r.ratio(), 2));
                log.flush();
            }
        } finally {
            if (torch != null) {
                torch.close();
            }
        }
        stepTable(name, shape, results);
        if (o.rssSteps > 0) {
            memoryTable(name, results.get(0));
        }
    }

    /** Steps before and while libtorch's profiler counts ops (--count-ops). */
    private static final int OP_COUNT_WARMUP = 5;
    private static final int OP_COUNT_STEPS = 5;

    /** The step whose RSS is compared with the last one: 100, or half of a shorter loop. */
    static int rssMark(int total) {
        return total >= 200 ? 100 : Math.max(1, total / 2);
    }

    private TorchReference openTorch() {
        if (!o.torch) {
            report.note("torch reference: off (--no-torch)");
            return null;
        }
        if (o.gpu) {
            report.note("torch reference: skipped on --device gpu (the sid tree's torch is CPU-only)");
            return null;
        }
        Path tree = o.torchTree == null ? TorchReference.defaultTree() : o.torchTree;
        String why = TorchReference.unavailableReason(tree, o.torchScript);
        if (why != null) {
            report.note("torch reference: skipped, " + why);
            return null;
        }
        try {
            TorchReference t = new TorchReference(tree, o.torchScript, o.modelDir, o.threads);
            report.note("torch reference: transformers " + t.header.get("transformers_version").getAsString()
                    + ", torch " + t.header.get("torch_version").getAsString() + ", "
                    + t.header.get("threads").getAsInt() + " threads, attn "
                    + t.header.get("attn_implementation").getAsString()
                    + "; measured interleaved with cramlab in chunks of " + o.chunk + " steps (same load)");
            return t;
        } catch (BenchException e) {
            report.note("torch reference: skipped, " + e.getMessage());
            return null;
        }
    }

    private void stepTable(String name, Flops.Shape shape, List<StepBench.Result> results) {
        List<String> headers = new ArrayList<>(List.of("L", "cramlab ms [p10, p90]", "torch ms [p10, p90]",
                "cramlab/torch", "target <= 1.0", "tokens/s", "GFLOP/s"));
        if (o.gpuPeakTflops != null) {
            headers.add("% bf16 peak");
        }
        if (o.countOps) {
            headers.add("ops/step");
        }
        List<List<String>> rows = new ArrayList<>();
        for (StepBench.Result r : results) {
            double ratio = r.ratio();
            double sec = r.cramlab().median() / 1000;
            double tokens = (1 + r.length()) / sec;
            double gflops = Flops.perStep(shape, 1, 1 + r.length()) / sec / 1e9;
            List<String> row = new ArrayList<>(List.of(Integer.toString(r.length()), spread(r.cramlab()),
                    r.torch() == null ? "skipped" : spread(r.torch()), Report.fmt(ratio, 2),
                    Double.isNaN(ratio) ? "n/a" : ratio <= 1.0 ? "met" : "MISSED", Report.fmt(tokens, 0),
                    Report.fmt(gflops, 1)));
            report.add("step", name, r.length(), 1, "cramlab_median_ms", r.cramlab().median(), "ms");
            report.add("step", name, r.length(), 1, "cramlab_p10_ms", r.cramlab().p10(), "ms");
            report.add("step", name, r.length(), 1, "cramlab_p90_ms", r.cramlab().p90(), "ms");
            if (r.torch() != null) {
                report.add("step", name, r.length(), 1, "torch_median_ms", r.torch().median(), "ms");
                report.add("step", name, r.length(), 1, "torch_p10_ms", r.torch().p10(), "ms");
                report.add("step", name, r.length(), 1, "torch_p90_ms", r.torch().p90(), "ms");
                report.add("step", name, r.length(), 1, "ratio_cramlab_over_torch", ratio, "x");
            }
            report.add("step", name, r.length(), 1, "tokens_per_s", tokens, "tokens/s");
            report.add("step", name, r.length(), 1, "gflops_per_s", gflops, "GFLOP/s");
            if (o.gpuPeakTflops != null) {
                double frac = gflops / (o.gpuPeakTflops * 1000);
                row.add(Report.fmt(100 * frac, 2));
                report.add("step", name, r.length(), 1, "fraction_of_bf16_peak", frac, "fraction");
            }
            if (o.countOps) {
                double ops = opsPerStep.getOrDefault(r.length(), Double.NaN);
                row.add(Report.fmt(ops, 0));
                report.add("step", name, r.length(), 1, "libtorch_ops_per_step", ops, "ops");
            }
            rows.add(row);
        }
        report.add(new Report.Table("Optimisation step (forward + backward + AdamW), " + name + ", K = 1, B = 1, "
                + o.steps + " timed steps after " + o.warmup + " warm-up", headers, rows));
    }

    private void memoryTable(String name, StepBench.Result r) {
        if (r.atMark() == null || r.atMid() == null || r.atEnd() == null) {
            report.note("step-loop memory: not measured (no /proc/self/status)");
            return;
        }
        int mark = rssMark(r.totalSteps());
        int mid = Math.max(1, r.totalSteps() / 2);
        int n = r.totalSteps();
        long growth = r.atEnd().rssKb() - r.atMark().rssKb();
        long secondHalf = r.atEnd().rssKb() - r.atMid().rssKb();
        boolean flat = flat(r.atMid(), r.atEnd());
        report.add("memory", name, r.length(), 1, "rss_at_step_" + mark + "_mib", ProcStatus.mib(r.atMark().rssKb()), "MiB");
        report.add("memory", name, r.length(), 1, "rss_at_step_" + mid + "_mib", ProcStatus.mib(r.atMid().rssKb()), "MiB");
        report.add("memory", name, r.length(), 1, "rss_at_step_" + n + "_mib", ProcStatus.mib(r.atEnd().rssKb()), "MiB");
        report.add("memory", name, r.length(), 1, "rss_growth_" + mark + "_to_" + n + "_mib", ProcStatus.mib(growth), "MiB");
        report.add("memory", name, r.length(), 1, "rss_growth_" + mid + "_to_" + n + "_mib", ProcStatus.mib(secondHalf), "MiB");
        report.add("memory", name, r.length(), 1, "peak_rss_mib", ProcStatus.mib(r.peakKb()), "MiB");
        report.add("memory", name, r.length(), 1, "java_heap_committed_mib", r.heapAtEnd() / 1048576.0, "MiB");
        StepBench.LiveArrays arrays = r.arrays();
        report.add("memory", name, r.length(), 1, "live_ndarrays_at_step_" + mark, arrays.atMark(), "arrays");
        report.add("memory", name, r.length(), 1, "live_ndarrays_at_step_" + n, arrays.atEnd(), "arrays");
        report.add("memory", name, r.length(), 1, "jit_compile_ms_" + mid + "_to_" + n, r.jitMsSecondHalf(), "ms");
        report.add(new Report.Table("Step-loop memory, " + name + ", L = " + r.length() + ", " + n + " steps",
                List.of("RSS @" + mark + " MiB", "RSS @" + mid + " MiB", "RSS @" + n + " MiB",
                        "growth " + mark + "->" + n, "growth " + mid + "->" + n, "peak MiB", "Java heap MiB",
                        "live NDArrays @" + mark + "/" + mid + "/" + n, "JIT ms " + mid + "->" + n,
                        "target: flat (" + mid + "->" + n + " <= " + (int) (FLAT_TOLERANCE * 100) + "%)"),
                List.of(List.of(Report.fmt(ProcStatus.mib(r.atMark().rssKb()), 1),
                        Report.fmt(ProcStatus.mib(r.atMid().rssKb()), 1), Report.fmt(ProcStatus.mib(r.atEnd().rssKb()), 1),
                        Report.fmt(ProcStatus.mib(growth), 1), Report.fmt(ProcStatus.mib(secondHalf), 1),
                        Report.fmt(ProcStatus.mib(r.peakKb()), 1),
                        Report.fmt(r.heapAtMark() / 1048576.0, 0) + (r.heapAtMark() == r.heapAtEnd() ? " (fixed)"
                                : " -> " + Report.fmt(r.heapAtEnd() / 1048576.0, 0)),
                        arrays.atMark() + "/" + arrays.atMid() + "/" + arrays.atEnd(), String.valueOf(r.jitMsSecondHalf()),
                        flat ? "met" : "MISSED"))));
        if (!flat && arrays.flat() && r.jitMsSecondHalf() > 0) {
            report.note("step-loop memory: RSS grew while the JVM's JIT compiled for " + r.jitMsSecondHalf() + " ms in the"
                    + " same steps, and no NDArray outlived its step (live arrays " + arrays.atMark() + " at every mark):"
                    + " as found in environment/bench/RESULTS.md, that is the C2 compiler's warm-up (its freed arenas"
                    + " stay resident), not a cramlab leak; a longer loop (e.g. --rss-steps 4000) judges steps after it settles");
        } else if (!arrays.flat()) {
            report.note("step-loop memory: live NDArrays changed (" + arrays.atMark() + " -> " + arrays.atMid() + " -> "
                    + arrays.atEnd() + "): arrays outlive their step, a cramlab leak");
        }
        if (r.heapAtMark() != r.heapAtEnd() || ManagementHeap.growable()) {
            report.note("step-loop memory: the Java heap can still grow (run via environment/bench/run, which fixes and"
                    + " pre-touches it), so RSS growth may be heap pages touched for the first time, not native memory");
        }
    }

    /** Whether RSS grew by at most {@link #FLAT_TOLERANCE} from {@code mid} to {@code end}. */
    static boolean flat(ProcStatus mid, ProcStatus end) {
        return end.rssKb() - mid.rssKb() <= FLAT_TOLERANCE * mid.rssKb();
    }

    /** Whether this JVM may still commit more heap (-Xms below -Xmx). */
    private static final class ManagementHeap {
        static boolean growable() {
            java.lang.management.MemoryUsage heap =
                    java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return heap.getMax() > heap.getCommitted();
        }
    }

    // ---- batched engine ----

    private void batches(CausalLM model, String name, Flops.Shape shape) {
        int l = Math.min(o.batchLength, model.info().maxPositions() - 1);
        log.printf("batched engine: L=%d, %d steps per run, B = %s%n", l, o.batchSteps, o.batches);
        log.flush();
        BatchBench.run(model, 1, l, 3, o.seed); // warm-up: JIT and kernels, not timed
        List<BatchBench.Result> results = new ArrayList<>();
        for (int b : o.batches) {
            results.add(BatchBench.run(model, b, l, o.batchSteps, o.seed));
        }
        BatchBench.Result one = results.stream().filter(r -> r.batch() == 1).findFirst().orElse(null);
        List<List<String>> rows = new ArrayList<>();
        for (BatchBench.Result r : results) {
            double speedup = one == null ? Double.NaN : r.runsPerSecond() / one.runsPerSecond();
            double gflops = Flops.perStep(shape, r.batch(), 1 + l) / (r.msPerStep() / 1000) / 1e9;
            rows.add(List.of(Integer.toString(r.batch()), Report.fmt(r.msPerStep(), 1), Report.fmt(r.runsPerSecond(), 3),
                    Report.fmt(r.tokensPerSecond(), 0), Report.fmt(gflops, 1), Report.fmt(speedup, 2)));
            report.add("batch", name, l, r.batch(), "ms_per_step", r.msPerStep(), "ms");
            report.add("batch", name, l, r.batch(), "runs_per_s", r.runsPerSecond(), "runs/s");
            report.add("batch", name, l, r.batch(), "tokens_per_s", r.tokensPerSecond(), "tokens/s");
            report.add("batch", name, l, r.batch(), "speedup_vs_b1", speedup, "x");
        }
        report.add(new Report.Table("Batched engine, " + name + ", L = " + l + ", " + o.batchSteps
                + " steps per run (patience off, whole engine call timed)",
                List.of("B", "ms/step", "runs/s", "tokens/s", "GFLOP/s", "speed-up vs B=1"), rows));
        BatchBench.Result sixteen = results.stream().filter(r -> r.batch() == 16).findFirst().orElse(null);
        if (one != null && sixteen != null) {
            double s = sixteen.runsPerSecond() / one.runsPerSecond();
            report.note(String.format(Locale.ROOT, "B=16 / B=1 throughput: %.2fx (target >= 3x at L = 64): %s", s,
                    s >= 3 ? "met" : "MISSED"));
        }
    }

    // ---- checkpoint loading ----

    private void load() {
        log.printf("checkpoint loading: writing a %d-shard float32 llama checkpoint, loading it in a fresh JVM%n",
                o.loadShards);
        log.flush();
        LoadBench.Result r = LoadBench.run(o.loadShards);
        double fileMib = r.checkpointBytes() / 1048576.0;
        double growthMib = ProcStatus.mib(r.peakKb() - r.baselineKb());
        report.add("load", "random-llama", 0, 0, "checkpoint_mib", fileMib, "MiB");
        report.add("load", "random-llama", 0, 0, "shards", r.shards(), "files");
        report.add("load", "random-llama", 0, 0, "peak_growth_mib", growthMib, "MiB");
        report.add("load", "random-llama", 0, 0, "peak_over_checkpoint", r.ratio(), "x");
        report.add("load", "random-llama", 0, 0, "load_seconds", r.seconds(), "s");
        report.add(new Report.Table("Checkpoint loading (fresh JVM, VmHWM growth over the JVM + libtorch baseline)",
                List.of("checkpoint MiB", "shards", "peak growth MiB", "RSS growth after MiB", "file-backed growth MiB",
                        "peak / size", "target <= 1.2", "seconds"),
                List.of(List.of(Report.fmt(fileMib, 1), Integer.toString(r.shards()), Report.fmt(growthMib, 1),
                        Report.fmt(ProcStatus.mib(r.afterKb() - r.baselineKb()), 1),
                        Report.fmt(ProcStatus.mib(r.afterFileKb()), 1), Report.fmt(r.ratio(), 2),
                        r.ratio() <= 1.2 ? "met" : "MISSED", Report.fmt(r.seconds(), 1)))));
    }

    // ---- helpers ----

    private static String spread(Timing t) {
        return Report.fmt(t.median(), 1) + " [" + Report.fmt(t.p10(), 1) + ", " + Report.fmt(t.p90(), 1) + "]";
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: keep the generic name
        }
        long memGib = 0;
        try {
            memGib = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1048576).findFirst().orElse(0);
        } catch (IOException | RuntimeException e) {
            // memory size is informative only
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + memGib + " GiB; "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; Java "
                + System.getProperty("java.version") + "; DJL " + Engine.getDjlVersion() + " "
                + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min; the machine is shared)";
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** What to run; see the {@code bench} command for the meaning of each option. */
    public static final class Options {
        Path modelDir;
        List<Integer> lengths = List.of(64, 256, 1024);
        boolean gpu;
        int threads = Runtime.getRuntime().availableProcessors();
        int warmup = 500;
        int steps = 20;
        int chunk = 1;
        int rssSteps = 2000;
        boolean skipSteps;
        List<Integer> batches = List.of(1, 4, 16);
        int batchLength = 64;
        int batchSteps = 20;
        int loadShards = 3;
        boolean torch = true;
        Path torchTree;
        Path torchScript;
        Double gpuPeakTflops;
        long seed = 0;
        boolean countOps;

        private Options() {}

        public static Builder builder() {
            return new Builder();
        }

        /** The defaults (no model set): what the {@code bench} command shows and starts from. */
        public static Options defaults() {
            return new Options();
        }

        public List<Integer> lengths() { return lengths; }
        public int warmup() { return warmup; }
        public int steps() { return steps; }
        public int chunk() { return chunk; }
        public int rssSteps() { return rssSteps; }
        public List<Integer> batches() { return batches; }
        public int batchLength() { return batchLength; }
        public int batchSteps() { return batchSteps; }
        public int loadShards() { return loadShards; }
        public long seed() { return seed; }

        /** Builder with the defaults of the {@code bench} command. */
        public static final class Builder {
            private final Options o = new Options();

            public Builder optModelDir(Path dir) { o.modelDir = dir; return this; }
            public Builder optLengths(List<Integer> lengths) { o.lengths = List.copyOf(lengths); return this; }
            public Builder optGpu(boolean gpu) { o.gpu = gpu; return this; }
            public Builder optThreads(int threads) { o.threads = threads; return this; }
            public Builder optWarmup(int warmup) { o.warmup = warmup; return this; }
            public Builder optSteps(int steps) { o.steps = steps; return this; }
            public Builder optChunk(int chunk) { o.chunk = chunk; return this; }
            public Builder optRssSteps(int rssSteps) { o.rssSteps = rssSteps; return this; }
            public Builder optSkipSteps(boolean skip) { o.skipSteps = skip; return this; }
            public Builder optBatches(List<Integer> batches) { o.batches = List.copyOf(batches); return this; }
            public Builder optBatchLength(int length) { o.batchLength = length; return this; }
            public Builder optBatchSteps(int steps) { o.batchSteps = steps; return this; }
            /** Shards of the generated checkpoint; 0 skips the loading benchmark. */
            public Builder optLoadShards(int shards) { o.loadShards = shards; return this; }
            public Builder optTorch(boolean torch) { o.torch = torch; return this; }
            public Builder optTorchTree(Path tree) { o.torchTree = tree; return this; }
            public Builder optTorchScript(Path script) { o.torchScript = script; return this; }
            /** Peak bf16 TFLOPS of the GPU; null: no fraction-of-peak column. */
            public Builder optGpuPeakTflops(Double tflops) { o.gpuPeakTflops = tflops; return this; }
            public Builder optSeed(long seed) { o.seed = seed; return this; }
            /** Also count libtorch ops per step at each length (libtorch's profiler; a count, not a time). */
            public Builder optCountOps(boolean count) { o.countOps = count; return this; }

            public Options build() {
                if (o.modelDir == null || !Files.isDirectory(o.modelDir)) {
                    throw new BenchException("model directory " + o.modelDir + " does not exist");
                }
                for (int b : o.batches) {
                    if (b < 1) {
                        throw new BenchException("batch sizes must be >= 1, got " + b);
                    }
                }
                for (int l : o.lengths) {
                    if (l < 2) {
                        throw new BenchException("lengths must be >= 2 tokens, got " + l);
                    }
                }
                if (o.loadShards < 0 || o.loadShards == 1) {
                    throw new BenchException("--load-shards must be 0 (skip) or >= 2 (a multi-shard checkpoint), got "
                            + o.loadShards);
                }
                return o;
            }
        }
    }
}
