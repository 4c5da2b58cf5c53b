package org.cramlab.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cramlab.model.AttentionPath;

/**
 * What the benchmark runs. The defaults are defined here once; the {@code bench} command shows them
 * and passes what the user changed.
 */
public final class BenchOptions {

    /**
     * Step-time lengths; those beyond a rotary model's positions run on a copy with more positions
     * ({@link RaisedPositions}), on other models they are skipped.
     */
    public static final List<Integer> DEFAULT_LENGTHS = List.of(64, 256, 1024, 2048);
    /** Lengths of the one-step peak-memory part. */
    public static final List<Integer> DEFAULT_PEAK_LENGTHS = List.of(1024, 2048);
    /**
     * The JVM's C2 compiler settles the step's Java code only after a few hundred steps (L = 64 ran
     * 21 ms per step after 3 warm-up steps, 13 ms after 400); a cramming run takes thousands of steps.
     */
    public static final int DEFAULT_WARMUP = 500;
    public static final int DEFAULT_STEPS = 20;
    public static final int DEFAULT_CHUNK = 1;
    public static final int DEFAULT_RSS_STEPS = 2000;
    public static final List<Integer> DEFAULT_BATCHES = List.of(1, 4, 16);
    public static final int DEFAULT_BATCH_LENGTH = 64;
    public static final int DEFAULT_BATCH_STEPS = 20;
    public static final int DEFAULT_LOAD_SHARDS = 3;
    public static final long DEFAULT_SEED = 0;

    Path modelDir;
    List<Integer> lengths = DEFAULT_LENGTHS;
    boolean gpu;
    int threads = Runtime.getRuntime().availableProcessors();
    int warmup = DEFAULT_WARMUP;
    int steps = DEFAULT_STEPS;
    int chunk = DEFAULT_CHUNK;
    int rssSteps = DEFAULT_RSS_STEPS;
    boolean skipSteps;
    List<Integer> batches = DEFAULT_BATCHES;
    int batchLength = DEFAULT_BATCH_LENGTH;
    int batchSteps = DEFAULT_BATCH_STEPS;
    int loadShards = DEFAULT_LOAD_SHARDS;
    boolean torch = true;
    Path torchTree;
    Path torchScript;
    Double gpuPeakTflops;
    long seed = DEFAULT_SEED;
    boolean countOps;
    /** Per-op self times per step at each length, cramlab's and the reference's (--profile). */
    boolean profile;
    List<Integer> peakLengths = DEFAULT_PEAK_LENGTHS;
    AttentionPath attention = AttentionPath.AUTO;
    /** 0: the warm-up steps run at each length; else they run once at this length and each length gets lengthWarmup. */
    int warmupLength;
    int lengthWarmup = DEFAULT_LENGTH_WARMUP;
    /** Folder with the model shapes of {@link #SHAPE_DIRS} (step times only), or null. */
    Path shapesDir;

    /** Untimed steps at each length after a --warmup-length warm-up (allocator, kernels; the JIT is warm). */
    public static final int DEFAULT_LENGTH_WARMUP = 3;

    /**
     * The real-shape models --shapes runs after the main model: the folder name make_random_model.py writes is
     * {@code <shape>-random}; the lengths are those of the table.
     */
    public static final List<String> SHAPE_DIRS = List.of("pythia-160m", "llama-3.2-1b");
    /** The lengths per real shape (a Llama-3.2-1B step at L = 256 takes ~10 s on 2 cores). */
    public static final java.util.Map<String, List<Integer>> SHAPE_LENGTHS = java.util.Map.of(
            "pythia-160m", List.of(64, 256, 1024),
            "llama-3.2-1b", List.of(64, 256));

    private BenchOptions() {}

    /** Untimed steps before the timed ones at each length. */
    int warmupAtLength() {
        return warmupLength > 0 ? lengthWarmup : warmup;
    }

    /** The model directories of --shapes, in order ({@code <shapesDir>/<shape>-random}). */
    List<Path> shapeModels() {
        return shapesDir == null ? List.of() : SHAPE_DIRS.stream().map(s -> shapesDir.resolve(s + "-random")).toList();
    }

    /** The options for one of the --shapes models: its directory and lengths, step times only, the rest as these. */
    BenchOptions forShape(Path dir, List<Integer> shapeLengths) {
        BenchOptions c = new BenchOptions();
        c.modelDir = dir;
        c.lengths = List.copyOf(shapeLengths);
        c.gpu = gpu;
        c.threads = threads;
        c.warmup = warmup;
        c.steps = steps;
        c.chunk = chunk;
        c.rssSteps = 0;
        c.batches = List.of();
        c.loadShards = 0;
        c.peakLengths = List.of();
        c.torch = torch;
        c.torchTree = torchTree;
        c.torchScript = torchScript;
        c.gpuPeakTflops = gpuPeakTflops;
        c.seed = seed;
        c.countOps = countOps;
        c.profile = profile;
        c.attention = attention;
        c.warmupLength = warmupLength;
        c.lengthWarmup = lengthWarmup;
        return c;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the defaults above; see the {@code bench} command for the meaning of each option. */
    public static final class Builder {
        private final BenchOptions o = new BenchOptions();

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
        /** Also print the self time per op name and step at each length, both sides (the profilers). */
        public Builder optProfile(boolean profile) { o.profile = profile; return this; }
        /** Lengths of the one-step peak-memory part; empty skips it. */
        public Builder optPeakLengths(List<Integer> lengths) { o.peakLengths = List.copyOf(lengths); return this; }
        /** cramlab's attention path (default AUTO: fused where it is faster). */
        public Builder optAttention(AttentionPath attention) { o.attention = attention; return this; }

        /** Run the --warmup steps once at this length (0: at each length); see {@link BenchOptions#warmupLength}. */
        public Builder optWarmupLength(int length) { o.warmupLength = length; return this; }
        /** Untimed steps at each length after a --warmup-length warm-up. */
        public Builder optLengthWarmup(int steps) { o.lengthWarmup = steps; return this; }
        /** Also time the step on the real-shape models in this folder ({@link #SHAPE_DIRS}); null: not. */
        public Builder optShapesDir(Path dir) { o.shapesDir = dir; return this; }

        public BenchOptions build() {
            if (o.warmupLength == 1 || o.warmupLength < 0 || o.lengthWarmup < 1) {
                throw new BenchException("--warmup-length must be 0 (warm up at each length) or >= 2 tokens and"
                        + " --length-warmup >= 1, got " + o.warmupLength + " and " + o.lengthWarmup);
            }
            for (Path shape : o.shapeModels()) {
                if (!Files.isRegularFile(shape.resolve("config.json"))) {
                    throw new BenchException("--shapes " + o.shapesDir + ": no model at " + shape + " (write it with"
                            + " environment/bench/make_random_model.py " + shape.getFileName().toString().replace("-random", "")
                            + " " + shape + " in the reference tree)");
                }
            }
            if (o.modelDir == null || !Files.isDirectory(o.modelDir)) {
                throw new BenchException("model directory " + o.modelDir + " does not exist");
            }
            for (int b : o.batches) {
                if (b < 1) {
                    throw new BenchException("batch sizes must be >= 1, got " + b);
                }
            }
            for (int l : java.util.stream.Stream.concat(o.lengths.stream(), o.peakLengths.stream()).toList()) {
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
