package org.cramlab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramTask;
import org.cramlab.model.CausalLM;

/** Runs per second of the batched engine: B different texts crammed together for a fixed number of steps. */
public final class BatchBench {

    /**
     * @param batch B
     * @param length L of every text
     * @param steps updates per run
     * @param seconds wall time of the whole engine call (start-up forward, steps, records)
     */
    public record Result(int batch, int length, int steps, double seconds) {

        /** Finished runs per second. */
        public double runsPerSecond() {
            return batch / seconds;
        }

        /** Milliseconds per batched step. */
        public double msPerStep() {
            return seconds * 1000 / steps;
        }

        /** Text tokens processed per second (forward + backward). */
        public double tokensPerSecond() {
            return (double) batch * length * steps / seconds;
        }
    }

    private BatchBench() {}

    /** Times every batch size of the options (after an untimed warm-up) and adds the throughput table. */
    static void report(Bench.Context c, CausalLM model, String name, Flops.Shape shape) {
        BenchOptions o = c.options();
        BenchReport report = c.report();
        int l = Math.min(o.batchLength, model.info().maxPositions() - 1);
        c.progress("batched engine: L=%d, %d steps per run, B = %s", l, o.batchSteps, o.batches);
        run(model, 1, l, 3, o.seed); // warm-up: JIT and kernels, not timed
        List<Result> results = new ArrayList<>();
        for (int b : o.batches) {
            results.add(run(model, b, l, o.batchSteps, o.seed));
        }
        Result one = results.stream().filter(r -> r.batch() == 1).findFirst().orElse(null);
        List<List<String>> rows = new ArrayList<>();
        for (Result r : results) {
            double speedup = one == null ? Double.NaN : r.runsPerSecond() / one.runsPerSecond();
            double gflops = Flops.perStep(shape, r.batch(), 1 + l) / (r.msPerStep() / 1000) / 1e9;
            rows.add(List.of(Integer.toString(r.batch()), BenchReport.fmt(r.msPerStep(), 1), BenchReport.fmt(r.runsPerSecond(), 3),
                    BenchReport.fmt(r.tokensPerSecond(), 0), BenchReport.fmt(gflops, 1), BenchReport.fmt(speedup, 2)));
            report.add("batch", name, l, r.batch(), "ms_per_step", r.msPerStep(), "ms");
            report.add("batch", name, l, r.batch(), "runs_per_s", r.runsPerSecond(), "runs/s");
            report.add("batch", name, l, r.batch(), "tokens_per_s", r.tokensPerSecond(), "tokens/s");
            report.add("batch", name, l, r.batch(), "speedup_vs_b1", speedup, "x");
        }
        report.add(new BenchReport.Table("Batched engine, " + name + ", L = " + l + ", " + o.batchSteps
                + " steps per run (patience off, whole engine call timed)",
                List.of("B", "ms/step", "runs/s", "tokens/s", "GFLOP/s", "speed-up vs B=1"), rows));
        Result sixteen = results.stream().filter(r -> r.batch() == 16).findFirst().orElse(null);
        if (one != null && sixteen != null) {
            double s = sixteen.runsPerSecond() / one.runsPerSecond();
            report.note(String.format(Locale.ROOT, "B=16 / B=1 throughput: %.2fx (target >= 3x at L = 64): %s", s,
                    s >= 3 ? "met" : "MISSED"));
        }
    }

    /** Crams {@code batch} random texts of {@code length} tokens together for {@code steps} steps. */
    public static Result run(CausalLM model, int batch, int length, int steps, long seed) {
        List<CramTask> tasks = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            tasks.add(CramTask.ofIds(randomIds(model.info().vocabSize(), length, seed + i), 1));
        }
        BatchedCrammer engine = new BatchedCrammer(model, StepBench.endless(steps, batch));
        long t0 = System.nanoTime();
        engine.run(tasks, org.cramlab.cram.RunListener.NONE);
        return new Result(batch, length, steps, (System.nanoTime() - t0) / 1e9);
    }

    /** {@code length} token ids uniform over the vocabulary (java.util.Random with {@code seed}). */
    public static int[] randomIds(int vocab, int length, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }
}
