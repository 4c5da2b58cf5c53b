package org.cramlab.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the benchmark runs. The defaults are defined here once; the {@code bench} command shows them
 * and passes what the user changed.
 */
public final class BenchOptions {

    public static final List<Integer> DEFAULT_LENGTHS = List.of(64, 256, 1024);
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

    private BenchOptions() {}

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

        public BenchOptions build() {
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
