package org.cramlab.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.BlasThreads;
import org.cramlab.model.BlockPath;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LoadOptions;
import org.cramlab.model.Models;

/**
 * The benchmark: step time against the PyTorch reference per length ({@link StepBench}), step-loop
 * memory ({@link MemoryBench}), batched-engine throughput ({@link BatchBench}) and checkpoint-loading
 * memory ({@link LoadBench}), each adding its tables to one {@link BenchReport}. Not a test: it prints
 * measurements.
 */
public final class Bench {

    /**
     * What every benchmark shares: the options, the progress log, the report its tables go into and the
     * model directory both sides load (the options' one, or a copy with more positions), and the model types
     * whose step code this JVM has already warmed up (--warmup-length: once per model type).
     */
    record Context(BenchOptions options, PrintWriter log, BenchReport report, Path modelDir, Set<String> jitWarm) {

        /** One progress line on the log, flushed at once. */
        void progress(String format, Object... args) {
            log.printf(Locale.ROOT, format + "%n", args);
            log.flush();
        }
    }

    private Bench() {}

    /** Runs every benchmark the options ask for; progress goes to {@code log}. */
    public static BenchReport run(BenchOptions options, PrintWriter log) {
        BenchOptions o = options;
        BenchReport report = new BenchReport();
        report.note("machine: " + machine());
        report.note("cramlab BLAS: " + BlasThreads.summary());
        report.note("load average at start: " + loadAverage());
        Map<String, List<StepBench.Result>> steps = new LinkedHashMap<>();
        Set<String> jitWarm = new HashSet<>();
        steps.put(o.modelDir.getFileName().toString(), runModel(o, log, report, jitWarm));
        for (Path shape : o.shapeModels()) {
            String key = shape.getFileName().toString().replace("-random", "");
            steps.put(shape.getFileName().toString(),
                    runModel(o.forShape(shape, BenchOptions.SHAPE_LENGTHS.get(key)), log, report, jitWarm));
        }
        if (steps.size() > 1) {
            StepTable.summary(report, o, steps);
        }
        report.note("load average at end: " + loadAverage());
        return report;
    }

    /** Every part the options ask for on their model; the step results (empty when not timed). */
    private static List<StepBench.Result> runModel(BenchOptions o, PrintWriter log, BenchReport report,
            Set<String> jitWarm) {
        try (RaisedPositions raised = raisePositions(o, report)) {
            Context c = new Context(o, log, report, raised == null ? o.modelDir : raised.dir(), jitWarm);
            return measure(c, o.modelDir.getFileName().toString());
        }
    }

    /**
     * A copy with enough positions for the longest length asked for, when the model has fewer and
     * rotary positions; null when not needed or not possible (those lengths are then skipped).
     */
    private static RaisedPositions raisePositions(BenchOptions o, BenchReport report) {
        int longest = 1 + java.util.stream.Stream.concat(o.lengths.stream(), o.peakLengths.stream())
                .mapToInt(Integer::intValue).max().orElse(0);
        HfConfig cfg = HfConfig.read(o.modelDir);
        int positions = cfg.optInt("max_position_embeddings", Integer.MAX_VALUE);
        if (longest <= positions) {
            return null;
        }
        RaisedPositions raised = RaisedPositions.of(o.modelDir, longest);
        if (raised != null) {
            report.note("positions: " + o.modelDir.getFileName() + " has " + positions + "; both sides load a copy with "
                    + longest + " (rotary positions: no table to extend, so a step's work at L is that of a model trained"
                    + " that long; the model's outputs beyond " + positions + " positions mean nothing, its timing does)");
        }
        return raised;
    }

    private static List<StepBench.Result> measure(Context c, String name) {
        BenchOptions o = c.options();
        Device device = o.gpu ? Device.gpu() : Device.cpu();
        int vocab = -1;
        int positions = -1;
        List<StepBench.Result> results = List.of();
        if (!o.skipSteps || o.batches.size() > 0) {
            try (CausalLM model = load(c, device)) {
                vocab = model.info().vocabSize();
                positions = model.info().maxPositions();
                Flops.Shape shape = Flops.Shape.of(model.info(), HfConfig.read(c.modelDir()));
                c.report().note(String.format(Locale.ROOT, "model: %s (%s, %,d params, d %d, vocab %d, %s),"
                                + " K = 1, device %s, %d threads, attention %s, blocks %s", name, model.info().modelType(),
                        model.info().numParameters(), model.info().hiddenSize(), model.info().vocabSize(),
                        positions == Integer.MAX_VALUE ? "no position limit" : positions + " positions", device, o.threads,
                        attention(o, device), BlockPath.fromEnvironment().name().toLowerCase(Locale.ROOT)));
                if (!o.skipSteps) {
                    results = StepBench.report(c, model, name, shape);
                    if (!results.isEmpty() && o.rssSteps > 0) {
                        // the shortest length ran the long step loop for the memory figures
                        MemoryBench.report(c, name, results.get(0));
                    }
                }
                if (!o.batches.isEmpty()) {
                    BatchBench.report(c, model, name, shape);
                }
            }
        }
        if (!o.peakLengths.isEmpty()) {
            if (vocab < 0) {
                HfConfig cfg = HfConfig.read(c.modelDir());
                vocab = cfg.requireInt("vocab_size");
                positions = cfg.optInt("max_position_embeddings", cfg.optInt("n_positions", Integer.MAX_VALUE));
            }
            PeakBench.report(c, vocab, positions, name);
        }
        if (o.loadShards > 0) {
            LoadBench.report(c);
        }
        return results;
    }

    /** The attention path in words, with AUTO's cross-over on this device. */
    private static String attention(BenchOptions o, Device device) {
        return o.attention != AttentionPath.AUTO ? o.attention.name().toLowerCase(Locale.ROOT)
                : "auto (fused sdpa from " + AttentionPath.autoCrossover(device) + " positions, explicit below)";
    }

    private static CausalLM load(Context c, Device device) {
        BenchOptions o = c.options();
        try {
            return Models.load(c.modelDir(), LoadOptions.builder().optDevice(device).optAttention(o.attention).build());
        } catch (RuntimeException e) {
            if (!o.gpu || e instanceof org.cramlab.checkpoint.CheckpointException) {
                throw e;
            }
            // e.g. a CPU-only libtorch (as on Maven Central for PyTorch 2.7.1) or no CUDA driver
            throw new BenchException("--device gpu: cannot put the model on " + device + " (" + e.getMessage()
                    + "); DJL needs a CUDA build of libtorch and a GPU", e);
        }
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

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min; the machine is shared)";
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
