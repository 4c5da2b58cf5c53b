package org.cramlab.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LoadOptions;
import org.cramlab.model.Models;

/**
 * The benchmark: step time against the PyTorch reference per length ({@link StepBench}), step-loop
 * memory ({@link MemoryBench}), batched-engine throughput ({@link BatchBench}) and checkpoint-loading
 * memory ({@link LoadBench}), each adding its tables to one {@link Report}. Not a test: it prints
 * measurements.
 */
public final class Bench {

    /** What every benchmark shares: the options, the progress log and the report its tables go into. */
    record Context(BenchOptions options, PrintWriter log, Report report) {

        /** One progress line on the log, flushed at once. */
        void progress(String format, Object... args) {
            log.printf(Locale.ROOT, format + "%n", args);
            log.flush();
        }
    }

    private Bench() {}

    /** Runs every benchmark the options ask for; progress goes to {@code log}. */
    public static Report run(BenchOptions options, PrintWriter log) {
        Context c = new Context(options, log, new Report());
        BenchOptions o = options;
        c.report().note("machine: " + machine());
        c.report().note("load average at start: " + loadAverage());
        Device device = o.gpu ? Device.gpu() : Device.cpu();
        String name = o.modelDir.getFileName().toString();
        if (!o.skipSteps || o.batches.size() > 0) {
            try (CausalLM model = load(o, device)) {
                Flops.Shape shape = Flops.Shape.of(model.info(), HfConfig.read(o.modelDir));
                c.report().note(String.format(Locale.ROOT, "model: %s (%s, %,d params, d %d, vocab %d, %d positions),"
                                + " K = 1, device %s, %d threads", name, model.info().modelType(),
                        model.info().numParameters(), model.info().hiddenSize(), model.info().vocabSize(),
                        model.info().maxPositions(), device, o.threads));
                if (!o.skipSteps) {
                    List<StepBench.Result> results = StepBench.report(c, model, name, shape);
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
        if (o.loadShards > 0) {
            LoadBench.report(c);
        }
        c.report().note("load average at end: " + loadAverage());
        return c.report();
    }

    private static CausalLM load(BenchOptions o, Device device) {
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
}
