package org.cramlab.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimiser settings a plan fixes per run (paper section 1.2). Part of a run's identity: changing
 * any of them gives a new run id.
 *
 * @param lr AdamW learning rate
 * @param beta1 AdamW beta1
 * @param beta2 AdamW beta2
 * @param weightDecay AdamW weight decay
 * @param eps AdamW epsilon
 * @param maxSteps at most this many optimisation steps
 * @param patience early stop after this many steps without strict accuracy improvement
 */
public record OptimiserSettings(
        double lr, double beta1, double beta2, double weightDecay, double eps, int maxSteps, int patience) {

    public OptimiserSettings {
        if (!(lr > 0 && lr <= org.cramlab.cram.AdamW.Config.MAX_LR)) {
            throw new ExperimentException("optimiser lr must be a finite number in (0, " + org.cramlab.cram.AdamW.Config.MAX_LR
                    + "] (the paper uses 0.01), got " + lr);
        }
        if (maxSteps < 1) throw new ExperimentException("optimiser max_steps must be >= 1, got " + maxSteps);
        if (patience < 1) throw new ExperimentException("optimiser patience must be >= 1, got " + patience);
    }

    /** The paper's train.py defaults: AdamW 1e-2, betas (0.9, 0.9), wd 0.01, eps 1e-8, 5000 steps, patience 2000. */
    public static OptimiserSettings paper() {
        return new OptimiserSettings(1e-2, 0.9, 0.9, 0.01, 1e-8, 5000, 2000);
    }

    /** Same settings with another step cap and patience. */
    public OptimiserSettings withSteps(int newMaxSteps, int newPatience) {
        return new OptimiserSettings(lr, beta1, beta2, weightDecay, eps, newMaxSteps, newPatience);
    }

    /** The snake_case map stored in {@code RunRecord.settings}. */
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
