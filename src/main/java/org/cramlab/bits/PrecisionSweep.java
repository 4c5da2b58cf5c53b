package org.cramlab.bits;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.cram.Greedy;
import org.cramlab.model.CausalLM;

/**
 * How many bits a solved memory needs: store it at each {@link Precision}, read it back and decode
 * greedily from the stored memory alone (the paper's reconstruction, {@link Greedy}); optionally
 * re-optimise at a precision that fails, straight-through (forward with the quantised memory, the
 * gradient applied to the float memory), and decode again.
 */
public final class PrecisionSweep {

    private PrecisionSweep() {}

    /**
     * One precision of one memory.
     *
     * @param precision how the memory was stored
     * @param memoryBits K * (d * b + scales)
     * @param exact greedy decoding from the stored memory reproduces all L-1 tokens
     * @param prefix tokens decoded right before the first error
     * @param qatSteps straight-through steps run at this precision (0: none, plain quantisation)
     */
    public record Point(Precision precision, long memoryBits, boolean exact, int prefix, int qatSteps) {

        /** Bits per dimension b (16 for the half formats, 32 for float32). */
        public int bitsPerDimension() {
            return precision.bits();
        }
    }

    /** Greedy decode from {@code memory} stored at every precision of {@code precisions}. */
    public static List<Point> sweep(CausalLM model, float[] memory, int k, int[] tokens, List<Precision> precisions) {
        int d = model.info().hiddenSize();
        List<Point> points = new ArrayList<>();
        for (Precision p : precisions) {
            QuantisedMemory q = QuantisedMemory.quantise(memory, k, d, p);
            Greedy g = Greedy.decode(model, q.dequantise(), k, tokens);
            points.add(new Point(p, q.bits(), g.exactMatch(), g.prefixLength(), 0));
        }
        return points;
    }

    /**
     * The fewest uniform bits b at which decoding is exact at b and at every uniform precision above
     * it in {@code points} (so one lucky low b after failures does not count); null when even the
     * highest uniform precision fails.
     */
    public static Integer fewestBits(List<Point> points) {
        Integer fewest = null;
        List<Point> uniform = points.stream().filter(p -> p.precision().kind() == Precision.Kind.UNIFORM)
                .sorted((a, b) -> Integer.compare(b.bitsPerDimension(), a.bitsPerDimension())).toList();
        for (Point p : uniform) {
            if (!p.exact()) {
                break;
            }
            fewest = p.bitsPerDimension();
        }
        return fewest;
    }

    /**
     * Straight-through quantisation-aware re-optimisation: Adam (the paper's lr and betas, no weight
     * decay) on the float memory with the loss of the memory stored at {@code p}, until the stored
     * memory decodes greedily exactly or {@code steps} run out.
     *
     * @return the point of the final stored memory (qatSteps = steps taken)
     */
    public static Point quantisationAware(CausalLM model, float[] memory, int k, int[] tokens, Precision p, int steps,
            double lr) {
        int d = model.info().hiddenSize();
        float[] m = memory.clone();
        float[] m1 = new float[m.length];
        float[] m2 = new float[m.length];
        double beta1 = 0.9;
        double beta2 = 0.9;
        int taken = 0;
        Greedy g = Greedy.decode(model, QuantisedMemory.roundTrip(m, k, d, p), k, tokens);
        while (!g.exactMatch() && taken < steps) {
            float[] grad = gradient(model, QuantisedMemory.roundTrip(m, k, d, p), k, tokens);
            taken++;
            double c1 = 1 - Math.pow(beta1, taken);
            double c2 = 1 - Math.pow(beta2, taken);
            for (int i = 0; i < m.length; i++) {
                m1[i] = (float) (beta1 * m1[i] + (1 - beta1) * grad[i]);
                m2[i] = (float) (beta2 * m2[i] + (1 - beta2) * grad[i] * grad[i]);
                m[i] -= (float) (lr * (m1[i] / c1) / (Math.sqrt(m2[i] / c2) + 1e-8));
            }
            g = Greedy.decode(model, QuantisedMemory.roundTrip(m, k, d, p), k, tokens);
        }
        QuantisedMemory q = QuantisedMemory.quantise(m, k, d, p);
        return new Point(p, q.bits(), g.exactMatch(), g.prefixLength(), taken);
    }

    /** d(mean shifted cross-entropy of tokens given [memory; embed(tokens)]) / d memory, row-major [K, d]. */
    static float[] gradient(CausalLM model, float[] memory, int k, int[] tokens) {
        int d = model.info().hiddenSize();
        int l = tokens.length;
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray mem = scope.create(memory, new Shape(1, k, d));
            mem.setRequiresGradient(true);
            long[] ids = new long[l];
            long[] next = new long[l - 1];
            for (int i = 0; i < l; i++) {
                ids[i] = tokens[i];
                if (i > 0) {
                    next[i - 1] = tokens[i];
                }
            }
            try (GradientCollector gc = scope.getEngine().newGradientCollector()) {
                NDArray x = mem.concat(model.embed(scope.create(ids, new Shape(1, l))), 1);
                NDArray logits = model.forward(x, null).get(":, {}:{}", k, k + l - 1); // positions predicting t_1..t_{L-1}
                NDArray logp = logits.toType(DataType.FLOAT32, false).logSoftmax(-1);
                NDArray targets = scope.create(next, new Shape(1, l - 1, 1));
                NDArray loss = logp.gather(targets, -1).neg().mean();
                gc.backward(loss);
            }
            return mem.getGradient().toFloatArray();
        }
    }
}
