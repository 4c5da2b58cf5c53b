package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** AdamW against a hand computation of torch.optim.AdamW's documented update, in double. */
class AdamWTest {

    /** loss = sum(c * p^2), so grad = 2 c p; five steps with the paper's hyper-parameters. */
    @Test
    void matchesHandComputedTorchUpdate() {
        double[] p = {0.5, -1.25, 2.0, 1e-3};
        double[] c = {1.0, 0.5, -2.0, 3.0};
        OptimiserSettings cfg = new OptimiserSettings(1e-2, 0.9, 0.9, 0.01, 1e-8, 5000, 2000);
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray param = manager.create(toFloat(p));
            param.setRequiresGradient(true);
            NDArray coef = manager.create(toFloat(c));
            try (AdamW opt = new AdamW(param, cfg)) {
                for (int t = 1; t <= 5; t++) {
                    try (NDManager step = manager.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray loss = param.square().mul(coef).sum();
                            loss.attach(step);
                            gc.backward(loss);
                        }
                    }
                    opt.step();
                    // torch docs: theta <- theta - lr*wd*theta; m, v; m_hat, v_hat; theta -= lr m_hat/(sqrt(v_hat)+eps)
                    for (int i = 0; i < p.length; i++) {
                        double g = 2 * c[i] * p[i];
                        p[i] -= cfg.lr() * cfg.weightDecay() * p[i];
                        m[i] = cfg.beta1() * m[i] + (1 - cfg.beta1()) * g;
                        v[i] = cfg.beta2() * v[i] + (1 - cfg.beta2()) * g * g;
                        double mHat = m[i] / (1 - Math.pow(cfg.beta1(), t));
                        double vHat = v[i] / (1 - Math.pow(cfg.beta2(), t));
                        p[i] -= cfg.lr() * mHat / (Math.sqrt(vHat) + cfg.eps());
                    }
                    float[] got = param.toFloatArray();
                    for (int i = 0; i < p.length; i++) {
                        // float32 vs double arithmetic: 1e-6 relative to the parameter scale
                        assertEquals(p[i], got[i], 1e-6 * Math.max(1, Math.abs(p[i])), "step " + t + " element " + i);
                    }
                }
                assertEquals(5, opt.steps());
            }
        }
    }

    /** PyTorch accumulates gradients across collectors: the update must leave a zero gradient. */
    @Test
    void zeroesTheGradientAfterEachStep() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray param = manager.create(new float[] {1f, 2f});
            param.setRequiresGradient(true);
            try (AdamW opt = new AdamW(param, OptimiserSettings.paper())) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(param.sum());
                }
                opt.step();
                try (NDArray g = param.getGradient()) {
                    assertEquals(0f, g.abs().sum().getFloat(), 0f);
                }
            }
        }
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
