package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;

/**
 * A tiny causal LM for engine tests (fast, no checkpoint): h_t = mean(x_1..x_t), logits =
 * tanh(h W1) W2. Causal, so right padding never changes real positions, and memory vectors reach
 * every position, which is all the engine's bookkeeping needs. Numerical agreement with real
 * transformers is tested on the golden Llama instead.
 */
public final class ToyLM implements CausalLM {

    private final NDManager manager;
    private final NDArray embedding;
    private final NDArray w1;
    private final NDArray w2;
    private final ModelInfo info;
    private NDArray bias; // null, or -1e4 on tokens no input can make the argmax

    public ToyLM(int vocab, int d, int hidden, int maxPositions, long seed) {
        manager = NDManager.newBaseManager();
        Random rng = new Random(seed);
        embedding = normal(rng, vocab, d, 1.0);
        w1 = normal(rng, d, hidden, 1.0 / Math.sqrt(d));
        w2 = normal(rng, hidden, vocab, 3.0 / Math.sqrt(hidden));
        info = new ModelInfo("toy", "toy", d, vocab, maxPositions, (long) vocab * d + (long) d * hidden + (long) hidden * vocab,
                "float32", manager.getDevice().toString());
    }

    /** The toy with {@code token} unreachable: its logit is always 1e4 below the others (|tanh W2| is small). */
    public ToyLM withUnreachable(int token) {
        float[] b = new float[info.vocabSize()];
        b[token] = -1e4f;
        bias = manager.create(b);
        return this;
    }

    private NDArray normal(Random rng, int rows, int cols, double std) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * std);
        }
        return manager.create(v, new Shape(rows, cols));
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public NDArray embed(NDArray tokenIds) {
        return tokenIds.oneHot(info.vocabSize()).matMul(embedding);
    }

    @Override
    public NDArray embeddingMatrix() {
        return embedding;
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask) {
        long t = inputsEmbeds.getShape().get(1);
        NDArray positions = inputsEmbeds.getManager().arange(1f, t + 1f).reshape(1, t, 1);
        return head(inputsEmbeds.cumSum(1).div(positions));
    }

    private NDArray head(NDArray mean) {
        NDArray logits = mean.matMul(w1).tanh().matMul(w2);
        return bias == null ? logits : logits.add(bias);
    }

    @Override
    public DecodeState newDecodeState(NDManager m) {
        return new State(m.newSubManager());
    }

    @Override
    public NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState decodeState) {
        State s = (State) decodeState;
        long t = inputsEmbeds.getShape().get(1);
        NDArray sums = inputsEmbeds.cumSum(1);
        if (s.sum != null) {
            sums = sums.add(s.sum);
        }
        NDArray positions = inputsEmbeds.getManager().arange(s.length + 1f, s.length + t + 1f).reshape(1, t, 1);
        NDArray last = sums.get(":, -1:").duplicate();
        last.attach(s.manager);
        if (s.sum != null) {
            s.sum.close();
        }
        s.sum = last;
        s.length += (int) t;
        return head(sums.div(positions));
    }

    @Override
    public NDList parameters() {
        return new NDList(embedding, w1, w2);
    }

    @Override
    public void setTrainable(boolean trainable) {
        if (trainable) {
            throw new UnsupportedOperationException("the toy model is always frozen");
        }
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }

    private static final class State implements DecodeState {
        final NDManager manager;
        NDArray sum;
        int length;

        State(NDManager manager) {
            this.manager = manager;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
