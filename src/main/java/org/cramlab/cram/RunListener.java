package org.cramlab.cram;

import ai.djl.ndarray.NDArray;

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
    record Progress(
            CramTask task, int step, double loss, double accuracy, double bestAccuracy, double elapsedSeconds) {}

    /** After every step of every active run. */
    default void onStep(Progress progress) {}

    /**
     * After the AdamW update of {@code step}: {@code memory} [K, d] is the run's live parameter,
     * valid only during the call (copy it, e.g. {@code toFloatArray()}, to keep it).
     */
    default void onUpdate(CramTask task, int step, NDArray memory) {}

    /** When a run has stopped and its record is complete (memory saved if a memory dir is set). */
    default void onFinished(CramResult result) {}
}
