package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cramlab.bench.Bench;
import org.cramlab.bench.BenchOptions;
import org.cramlab.bench.Flops;
import org.cramlab.model.AttentionPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: step time vs PyTorch, batched throughput, step-loop and loading memory. The defaults
 * shown are {@link BenchOptions}'s.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {CapacityBenchCommand.class, GemmBenchCommand.class,
        PathBenchCommand.class},
        description = {"Benchmark the cramming step against the PyTorch reference on the same model and token ids,",
                "the batched engine's runs/s, step-loop memory, the peak memory of one step (vs PyTorch) and",
                "multi-shard checkpoint loading memory.",
                "Prints tables; --csv writes the numbers. Not a test: run it on a quiet machine if you can."},
        footer = {"%nExample:", "  java -jar lib/cramlab.jar bench --lengths 64,256 --csv bench.csv"})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Mixin
    DeviceOptions device; // bench measures float32 weights: --dtype is refused

    @Mixin
    ThreadsOption threads; // both sides get the same number

    @Mixin
    SeedOption seed; // of the random token ids

    @Option(names = "--lengths", split = ",", paramLabel = "L,L",
            description = "Text lengths; those beyond the model's positions are skipped (default: ${DEFAULT-VALUE}).")
    List<Integer> lengths = new ArrayList<>(BenchOptions.DEFAULT_LENGTHS);


    @Option(names = "--warmup",
            description = "Untimed steps per side first, so the JIT has compiled the step (default: ${DEFAULT-VALUE}).")
    int warmup = BenchOptions.DEFAULT_WARMUP;

    @Option(names = "--warmup-length", paramLabel = "L",
            description = {"Run the --warmup steps once, at this length, on both sides (the JIT's warm-up does not depend on",
                    "the length), then --length-warmup untimed steps at each length; 0: --warmup steps at each length",
                    "(default: ${DEFAULT-VALUE})."})
    int warmupLength;

    @Option(names = "--length-warmup", paramLabel = "N",
            description = "Untimed steps at each length after a --warmup-length warm-up (default: ${DEFAULT-VALUE}).")
    int lengthWarmup = BenchOptions.DEFAULT_LENGTH_WARMUP;

    @Option(names = "--shapes", paramLabel = "DIR",
            description = {"Also time the step on the real-shape models in DIR (pythia-160m-random at L = 64, 256, 1024;",
                    "llama-3.2-1b-random at 64, 256; written by environment/bench/make_random_model.py) and print one",
                    "table of all models."})
    Path shapes;

    @Option(names = "--steps", description = "Timed steps per length and side (default: ${DEFAULT-VALUE}).")
    int steps = BenchOptions.DEFAULT_STEPS;

    @Option(names = "--chunk",
            description = "Steps per side before switching cramlab/torch; 1 pairs every step (default: ${DEFAULT-VALUE}).")
    int chunk = BenchOptions.DEFAULT_CHUNK;

    @Option(names = "--rss-steps",
            description = "Length of the step loop for the memory figures, at the shortest L; its second half (1000 steps,"
                    + " after the JIT has settled) is judged; 0 skips them (default: ${DEFAULT-VALUE}).")
    int rssSteps = BenchOptions.DEFAULT_RSS_STEPS;

    @Option(names = "--no-steps", description = "Skip the step-time and step-memory part.")
    boolean noSteps;

    @Option(names = "--batches", split = ",", paramLabel = "B,B",
            description = "Batch sizes for the runs/s part; empty skips it (default: ${DEFAULT-VALUE}).")
    List<Integer> batches = new ArrayList<>(BenchOptions.DEFAULT_BATCHES);

    @Option(names = "--no-batches", description = "Skip the batched-engine part.")
    boolean noBatches;

    @Option(names = "--batch-length", description = "L of the batched part (default: ${DEFAULT-VALUE}).")
    int batchLength = BenchOptions.DEFAULT_BATCH_LENGTH;

    @Option(names = "--batch-steps", description = "Steps per run in the batched part (default: ${DEFAULT-VALUE}).")
    int batchSteps = BenchOptions.DEFAULT_BATCH_STEPS;

    @Option(names = "--load-shards",
            description = "Shards of the generated ~340 MB checkpoint for the loading part; 0 skips it (default: ${DEFAULT-VALUE}).")
    int loadShards = BenchOptions.DEFAULT_LOAD_SHARDS;

    @Option(names = "--no-torch", description = "Do not run the PyTorch reference.")
    boolean noTorch;

    @Option(names = "--torch-tree", paramLabel = "DIR", description = "Debian sid tree with transformers (default: $CRAMLAB_HF_REF; without either the reference is skipped).")
    Path torchTree;

    @Option(names = "--torch-script", paramLabel = "F",
            description = "The reference script (default: environment/bench/torch_reference_step.py under $CRAMLAB_REPO or the current directory).")
    Path torchScript;

    @Option(names = "--gpu", paramLabel = "NAME", description = "GPU model for the bf16 peak, one of: ${COMPLETION-CANDIDATES}"
            + " (default with --device gpu: nvidia-smi's name).", completionCandidates = GpuNames.class)
    String gpu;

    @Option(names = "--gpu-peak-tflops", paramLabel = "T", description = "The GPU's dense bf16 peak TFLOPS (overrides --gpu).")
    Double gpuPeakTflops;


    @Option(names = "--attention", paramLabel = "auto|explicit|fused",
            description = "cramlab's attention path: auto (fused sdpa where it is faster), explicit or fused (default: auto).")
    String attention = "auto";

    @Option(names = "--peak-lengths", split = ",", paramLabel = "L,L",
            description = "Lengths of the one-step peak-memory part, each side in a fresh process (default: ${DEFAULT-VALUE}).")
    List<Integer> peakLengths = new ArrayList<>(BenchOptions.DEFAULT_PEAK_LENGTHS);

    @Option(names = "--no-peak", description = "Skip the one-step peak-memory part.")
    boolean noPeak;

    @Option(names = "--count-ops", description = "Also count libtorch ops per step at each length (profiler; a count, not a time).")
    boolean countOps;

    @Option(names = "--profile", description = "Also print the self time per libtorch op and step at each length,"
            + " cramlab's (libtorch's profiler) beside the reference's (torch.profiler), top 20 per side.")
    boolean profile;

    @Mixin
    ReportOutput report;

    /** Names for --gpu's help text. */
    static final class GpuNames extends java.util.ArrayList<String> {
        private static final long serialVersionUID = 1L;

        GpuNames() {
            super(Flops.GPU_BF16_PEAK_TFLOPS.keySet());
        }
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Options.refuseUnless(spec, "--dtype", false, "to the commands that cram (bench times float32 weights)");
        boolean gpuDevice = device.gpu();
        int n = threads.configure(); // before libtorch starts
        BenchOptions options = BenchOptions.builder()
                .optModelDir(model.directory())
                .optLengths(lengths).optGpu(gpuDevice).optThreads(n)
                .optWarmup(warmup).optSteps(steps).optChunk(chunk).optRssSteps(rssSteps).optSkipSteps(noSteps)
                .optBatches(noBatches ? List.of() : batches).optBatchLength(batchLength).optBatchSteps(batchSteps)
                .optLoadShards(loadShards).optTorch(!noTorch).optTorchTree(torchTree).optTorchScript(script())
                .optGpuPeakTflops(peak(gpuDevice, err)).optSeed(seed.seed()).optCountOps(countOps).optProfile(profile)
                .optWarmupLength(warmupLength).optLengthWarmup(lengthWarmup).optShapesDir(shapes)
                .optAttention(AttentionPath.parse(attention)).optPeakLengths(noPeak ? List.of() : peakLengths)
                .build();
        return report.show(Bench.run(options, err), spec);
    }

    private Path script() {
        if (torchScript != null) {
            return torchScript;
        }
        String repo = System.getenv("CRAMLAB_REPO");
        Path base = repo == null || repo.isBlank() ? Path.of("") : Path.of(repo);
        return base.resolve("environment/bench/torch_reference_step.py").toAbsolutePath();
    }

    private Double peak(boolean gpuDevice, PrintWriter err) {
        if (gpuPeakTflops != null) {
            return gpuPeakTflops;
        }
        String name = gpu != null ? gpu : gpuDevice ? nvidiaSmiName() : null;
        if (name == null) {
            return null;
        }
        Double p = Flops.peakFor(name);
        if (p == null) {
            err.printf(Locale.ROOT, "bench: no bf16 peak known for GPU '%s'; pass --gpu-peak-tflops%n", name);
        }
        return p;
    }

    private static String nvidiaSmiName() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse(null);
            return p.waitFor() == 0 ? first : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
