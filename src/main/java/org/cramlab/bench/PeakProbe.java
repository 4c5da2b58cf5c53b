package org.cramlab.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.RunListener;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LoadOptions;
import org.cramlab.model.Models;

/**
 * Child-JVM side of {@link PeakBench}: loads the model, runs one warm-up step at L = 16 (libtorch's
 * kernels, threads and allocator started, the JIT's first compilations), resets VmHWM to VmRSS and runs
 * one optimisation step at the requested length; prints one JSON line. The PyTorch side
 * ({@code torch_reference_step.py --peak}) follows the same protocol.
 *
 * <p>Arguments: model directory, attention path (auto|explicit|fused), then the token ids, comma-separated.
 */
public final class PeakProbe {

    /** Warm-up steps at L = 16 before the measured step. */
    static final int WARMUP_STEPS = 300;

    private PeakProbe() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: PeakProbe <model-dir> <auto|explicit|fused> <id,id,...>");
            System.exit(2);
        }
        String[] parts = args[2].split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Integer.parseInt(parts[i].trim());
        }
        LoadOptions load = LoadOptions.builder().optAttention(AttentionPath.parse(args[1])).build();
        try (CausalLM model = Models.load(Path.of(args[0]), load)) {
            // the JVM's JIT compiles the step's Java code over its first few hundred steps, and its compiler
            // arenas are resident memory: warm up at a short length so they are in the baseline
            int warm = Integer.getInteger("cramlab.peak.warmup", WARMUP_STEPS);
            new BatchedCrammer(model, StepBench.endless(warm, 1))
                    .run(List.of(CramTask.ofIds(BatchBench.randomIds(model.info().vocabSize(), 16, 1), 1)), RunListener.NONE);
            System.gc();
            ProcStatus.resetPeak();
            ProcStatus before = ProcStatus.read();
            step(model, ids);
            ProcStatus after = ProcStatus.read();
            System.out.printf(Locale.ROOT, "{\"L\": %d, \"baseline_rss_kb\": %d, \"baseline_hwm_kb\": %d,"
                    + " \"peak_hwm_kb\": %d, \"after_rss_kb\": %d}%n", ids.length, before.rssKb(), before.hwmKb(),
                    after.hwmKb(), after.rssKb());
        }
    }

    /** One engine update (K = 1), as a cramming run's first step. */
    private static void step(CausalLM model, int[] ids) {
        new BatchedCrammer(model, StepBench.endless(1, 1)).run(List.of(CramTask.ofIds(ids, 1)), RunListener.NONE);
    }
}
