package org.cramlab.bench;

import java.util.ArrayList;
import java.util.List;
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
