package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/** The state of one active run inside the engine: memory, optimiser, traces, stopping. */
final class Run implements AutoCloseable {

    /** Why a run stopped, as written to {@link RunRecord#stopReason()}. */
    enum Stop {
        SOLVED,
        PATIENCE,
        MAX_STEPS,
        DIVERGED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    final int index;
    final CramTask task;
    final long startNanos = System.nanoTime();
    final List<Double> losses = new ArrayList<>();
    final List<Double> accuracies = new ArrayList<>();
    double originalLoss;
    double originalAccuracy;
    Stop stop;

    private final CramSettings settings;
    private final NDManager manager;
    private final NDArray memory;
    private final AdamW optimizer;
    private NDArray best;
    private double bestAccuracy; // starts at 0 as in train.py, so the patience counter matches it
    private int sinceImprovement;

    Run(int index, CramTask task, float[] init, int d, CramSettings settings, NDManager parent) {
        this.index = index;
        this.task = task;
        this.settings = settings;
        this.manager = parent.newSubManager();
        this.memory = manager.create(init, new Shape(task.nMem(), d));
        memory.setRequiresGradient(true);
        this.optimizer = new AdamW(memory, settings.optimiser());
        this.best = copy(); // a run whose accuracy never rises above 0 still has a memory to report
    }

    NDArray memory() {
        return memory;
    }

    /**
     * Records one step's loss and accuracy (computed with the current, pre-update memory) and
     * decides whether the run goes on.
     *
     * @return true if the run continues, i.e. the optimiser should apply this step's gradient
     */
    boolean observe(double loss, double accuracy) {
        losses.add(loss);
        accuracies.add(accuracy);
        if (!Double.isFinite(loss)) {
            stop = Stop.DIVERGED;
            return false;
        }
        if (accuracy > bestAccuracy) {
            bestAccuracy = accuracy;
            // Deliberate difference from the paper's code: train.py copies the memory after
            // opt.step(), i.e. one update later than the one that scored best_accuracy. We keep the
            // parameters that actually achieved it.
            best.close();
            best = copy();
            sinceImprovement = 0;
        } else {
            sinceImprovement++;
        }
        if (bestAccuracy >= settings.solvedAccuracy()) {
            stop = Stop.SOLVED;
        } else if (sinceImprovement >= settings.patience()) {
            stop = Stop.PATIENCE;
        } else if (losses.size() >= settings.maxSteps()) {
            stop = Stop.MAX_STEPS;
        }
        return stop == null;
    }

    /** Applies the AdamW update from the memory's gradient. */
    void update() {
        optimizer.step();
    }

    double bestAccuracySoFar() {
        return bestAccuracy;
    }

    float[] bestMemory() {
        return best.toFloatArray();
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private NDArray copy() {
        try (NDArray detached = memory.stopGradient()) {
            return detached.duplicate(); // lands in this run's manager, like the detached view
        }
    }

    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}
