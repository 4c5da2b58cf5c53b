package org.cramlab.cram;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimiser and its step budget (paper section 1.2; its code's {@code train.py}): the AdamW
 * hyper-parameters {@link AdamW} follows and when a run gives up. The one place the paper's values are
 * written down: the engine's {@link CramSettings}, the plans' runs and the command-line defaults all start
 * from {@link #paper()}. Part of a planned run's identity: its JSON (snake_case, in this order) is hashed
 * into the run id, so changing any of them gives a new run.
 *
 * @param lr AdamW learning rate
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param weightDecay AdamW decoupled weight decay (torch multiplies it by lr)
 * @param eps AdamW epsilon, added to the bias-corrected sqrt(v)
 * @param maxSteps at most this many optimisation steps (= recorded steps) per run
 * @param patience stop after this many consecutive steps without a strict accuracy improvement
 */
public record OptimiserSettings(
        double lr, double beta1, double beta2, double weightDecay, double eps, int maxSteps, int patience) {

    /**
     * Largest learning rate accepted: Adam moves every coordinate by about lr per step, and input
     * embeddings have entries of order 0.01-1, so larger rates only diverge (1e30 did at step 2).
     */
    public static final double MAX_LR = 1.0;

    public OptimiserSettings {
        if (!(lr > 0 && lr <= MAX_LR)) {
            throw new CramException("lr must be a finite number in (0, " + MAX_LR + "] (the paper uses 0.01), got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new CramException("AdamW betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new CramException("AdamW weight decay must be a finite number >= 0, got " + weightDecay);
        }
        if (!(eps > 0 && Double.isFinite(eps))) {
            throw new CramException("AdamW eps must be a finite number > 0, got " + eps);
        }
        if (maxSteps < 1) throw new CramException("optimiser max_steps must be >= 1, got " + maxSteps);
        if (patience < 1) throw new CramException("optimiser patience must be >= 1, got " + patience);
    }

    /**
     * The paper's code: AdamW lr 1e-2, betas (0.9, 0.9), weight decay 0.01, torch's default eps 1e-8, no
     * schedule, at most 5000 steps, patience 2000.
     */
    public static OptimiserSettings paper() {
        return new OptimiserSettings(1e-2, 0.9, 0.9, 0.01, 1e-8, 5000, 2000);
    }

    /** Same settings with another learning rate. */
    public OptimiserSettings withLr(double newLr) {
        return new OptimiserSettings(newLr, beta1, beta2, weightDecay, eps, maxSteps, patience);
    }

    /** Same settings with other AdamW betas. */
    public OptimiserSettings withBetas(double newBeta1, double newBeta2) {
        return new OptimiserSettings(lr, newBeta1, newBeta2, weightDecay, eps, maxSteps, patience);
    }

    /** Same settings with another weight decay. */
    public OptimiserSettings withWeightDecay(double newWeightDecay) {
        return new OptimiserSettings(lr, beta1, beta2, newWeightDecay, eps, maxSteps, patience);
    }

    /** Same settings with another epsilon. */
    public OptimiserSettings withEps(double newEps) {
        return new OptimiserSettings(lr, beta1, beta2, weightDecay, newEps, maxSteps, patience);
    }

    /** Same settings with another step cap and patience. */
    public OptimiserSettings withSteps(int newMaxSteps, int newPatience) {
        return new OptimiserSettings(lr, beta1, beta2, weightDecay, eps, newMaxSteps, newPatience);
    }

    /** The snake_case map stored in a run record's settings. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("weight_decay", weightDecay);
        m.put("eps", eps);
        m.put("max_steps", maxSteps);
        m.put("patience", patience);
        return m;
    }
}
