package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * {@code torch.optim.AdamW} for one tensor, written out so that it matches PyTorch step for step.
 *
 * <p>DJL's own Adam adds eps to sqrt(v) without PyTorch's sqrt(bias_correction2) factor, so its
 * trajectory drifts from a torch run; this class follows torch's single-tensor update:
 * <pre>
 *   t += 1
 *   p  = p * (1 - lr * wd)                      decoupled weight decay
 *   m  = m + (1 - beta1) * (g - m)              torch's lerp form
 *   v  = beta2 * v + (1 - beta2) * g * g
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p  = p - lr / (1 - beta1^t) * m / denom
 * </pre>
 * State (t, m, v) belongs to one run. PyTorch accumulates gradients across collectors, so
 * {@link #step()} zeroes the gradient after using it.
 */
public final class AdamW implements AutoCloseable {

    private final NDArray param;
    private final OptimiserSettings config;
    private final NDManager state;
    private final NDArray m;
    private final NDArray v;
    private int t;

    /**
     * @param param the trainable array (gradient attached); updated in place by {@link #step()}
     * @param config hyper-parameters (lr, betas, weight decay, eps; the step budget is not used here)
     */
    public AdamW(NDArray param, OptimiserSettings config) {
        this.param = param;
        this.config = config;
        this.state = param.getManager().newSubManager();
        this.m = state.zeros(param.getShape(), param.getDataType());
        this.v = state.zeros(param.getShape(), param.getDataType());
    }

    /** Number of updates applied so far. */
    public int steps() {
        return t;
    }

    /** Applies one update from the parameter's current gradient, then zeroes that gradient. */
    public void step() {
        t++;
        double bc1 = 1 - Math.pow(config.beta1(), t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(config.beta2(), t));
        try (NDManager tmp = state.newSubManager()) {
            m.tempAttach(tmp);
            v.tempAttach(tmp);
            NDArray g = param.getGradient(); // a fresh native handle: scope it to this step
            g.attach(tmp);
            NDArray p = param.stopGradient(); // shares storage: in-place ops update the parameter
            p.attach(tmp);

            p.muli(1 - config.lr() * config.weightDecay());
            m.addi(g.sub(m).muli(1 - config.beta1()));
            v.muli(config.beta2()).addi(g.square().muli(1 - config.beta2()));
            NDArray denom = v.sqrt().divi(bc2Sqrt).addi(config.eps());
            p.subi(m.div(denom).muli(config.lr() / bc1));
            g.set(new NDIndex("..."), 0); // fill, not multiply: a NaN gradient must not survive
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
