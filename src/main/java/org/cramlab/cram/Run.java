package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one active run inside the engine: memory, optimiser, traces, stopping. With a
 * {@link Subspace} the optimiser's parameter is z [K, k] and the memory is offset + z U, composed per
 * step; without one the parameter is the memory itself.
 */
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
    private final NDArray param; // the memory, or z in a subspace
    private final NDArray basis; // U [k, d], null without a subspace
    private final NDArray offset; // init - z0 U [K, d], null without a subspace
    private final AdamW optimizer;
    private NDArray best;
    private double bestAccuracy; // starts at 0 as in train.py, so the patience counter matches it
    private int sinceImprovement;

    Run(int index, CramTask task, float[] init, int d, CramSettings settings, NDManager parent) {
        this.index = index;
        this.task = task;
        this.settings = settings;
        this.manager = parent.newSubManager();
        NDArray start = manager.create(init, new Shape(task.nMem(), d));
        Subspace sub = settings.subspace();
        if (sub == null) {
            this.basis = null;
            this.offset = null;
            this.param = start;
        } else {
            if (sub.d() != d) {
                throw new CramException("subspace basis is [" + sub.k() + ", " + sub.d() + "] but the model's width d is " + d);
            }
            this.basis = sub.basis(manager);
            this.param = start.matMul(basis.transpose()); // z0 = init U^T
            this.offset = start.sub(param.matMul(basis)); // what the basis cannot express stays fixed
        }
        param.setRequiresGradient(true);
        this.optimizer = new AdamW(param, settings.optimiser());
        this.best = composed(); // a run whose accuracy never rises above 0 still has a memory to report
    }

    /** The memory [K, d] for this step, in {@code scope} when composed (the plain memory stays where it is). */
    NDArray memory(NDManager scope) {
        if (basis == null) {
            return param;
        }
        NDArray m = offset.add(param.matMul(basis)); // lands in this run's manager: move it to the step
        m.attach(scope);
        return m;
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
            best = composed();
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

    /** A detached copy of the current memory, in this run's manager. */
    private NDArray composed() {
        try (NDArray detached = param.stopGradient()) {
            if (basis == null) {
                return detached.duplicate(); // lands in this run's manager, like the detached view
            }
            return offset.add(detached.matMul(basis));
        }
    }

    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}
