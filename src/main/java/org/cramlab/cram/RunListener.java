package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import org.cramlab.core.Progress;

/**
 * Progress and completion callbacks of the cramming engine. Called on the engine's thread; keep
 * them quick. {@link #onFinished} comes once per run, as soon as that run stops, so a sweep can
 * append each record to disk at once and lose nothing when interrupted.
 */
public interface RunListener {

    /** A listener that does nothing. */
    RunListener NONE = new RunListener() {};

    /**
     * One optimisation step of one run (values before that step's update).
     *
     * @param task the run's task
     * @param step 1-based step number
     * @param loss mean shifted cross-entropy over the L-1 targets, nats
     * @param accuracy teacher-forced accuracy over the same targets
     * @param bestAccuracy best accuracy so far, this step included
     * @param elapsedSeconds time since the run started
     */
    record Step(
            CramTask task, int step, double loss, double accuracy, double bestAccuracy, double elapsedSeconds) {
        /** One line for a progress display: text, length, K, step and best accuracy so far. */
        public String line() {
            return String.format(java.util.Locale.ROOT, "%s L=%d K=%d step %d acc %.3f", task.textId(), task.length(),
                    task.nMem(), step, bestAccuracy);
        }
    }

    /**
     * Shows the steps of one run on {@code progress} (one unit per step; loss and accuracies as the
     * current item), at most four updates a second and the last step when the run finishes.
     */
    static RunListener showing(Progress progress) {
        return new RunListener() {
            private long lastShown;

            @Override
            public void onStep(Step s) {
                long now = System.nanoTime();
                if (now - lastShown >= 250_000_000L || s.step() == 1) {
                    lastShown = now;
                    progress.update(s.step(), String.format(Locale.ROOT, "loss %.4f acc %.4f best %.4f", s.loss(),
                            s.accuracy(), s.bestAccuracy()));
                }
            }

            @Override
            public void onFinished(CramResult result) {
                progress.update(result.record().trajectory().steps(), progress.state().current());
            }
        };
    }

    /** After every step of every active run. */
    default void onStep(Step step) {}

    /**
     * After the AdamW update of {@code step}: {@code memory} [K, d] is the run's live parameter,
     * valid only during the call (copy it, e.g. {@code toFloatArray()}, to keep it).
     */
    default void onUpdate(CramTask task, int step, NDArray memory) {}

    /** When a run has stopped and its record is complete (memory saved if a memory dir is set). */
    default void onFinished(CramResult result) {}
}
