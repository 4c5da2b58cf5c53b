package org.cramlab.cram;

import java.util.List;
import org.cramlab.model.CausalLM;

/**
 * One cramming run at a time: the batched engine with a batch of one. Use {@link BatchedCrammer}
 * for many texts.
 */
public final class Crammer {

    private final BatchedCrammer engine;

    /**
     * @param model a frozen model
     * @param settings optimiser and stopping options (the batch size is ignored)
     */
    public Crammer(CausalLM model, CramSettings settings) {
        this.engine = new BatchedCrammer(model, settings.toBuilder().optBatchSize(1).build());
    }

    /** Crams one text; {@code listener} sees every step and the finished run. */
    public CramResult run(CramTask task, RunListener listener) {
        return engine.run(List.of(task), listener).get(0);
    }

    /** Crams one text without progress callbacks. */
    public CramResult run(CramTask task) {
        return run(task, RunListener.NONE);
    }
}
