package org.cramlab.cram;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of a cramming run; the defaults are the paper's code ({@code train.py}): AdamW lr 1e-2,
 * betas (0.9, 0.9), weight decay 0.01, eps 1e-8, no schedule, at most 5000 steps, stop when the
 * accuracy reaches exactly 1.0, stop after 2000 steps without a strict improvement of the accuracy.
 *
 * @param optimizer AdamW hyper-parameters
 * @param maxSteps most forward passes (= recorded steps) per run
 * @param patience stop after this many consecutive steps without a strict accuracy improvement
 * @param solvedAccuracy stop once the best accuracy reaches this (1.0: every target right)
 * @param seed seed of the memory init (java.util.Random, see {@link Memory#random})
 * @param greedyCheck decode greedily from the best memory after each run
 * @param batchSize runs optimised together in one batched forward/backward
 * @param memoryDir where best memories are saved as {@code <run_id>.safetensors}; null: not saved
 */
public record CramSettings(
        AdamW.Config optimizer,
        int maxSteps,
        int patience,
        double solvedAccuracy,
        long seed,
        boolean greedyCheck,
        int batchSize,
        Path memoryDir) {

    public CramSettings {
        if (maxSteps < 1) {
            throw new CramException("maxSteps must be >= 1, got " + maxSteps);
        }
        if (patience < 1) {
            throw new CramException("patience must be >= 1, got " + patience);
        }
        if (batchSize < 1) {
            throw new CramException("batchSize must be >= 1, got " + batchSize);
        }
    }

    /** The paper's settings. */
    public static CramSettings paper() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.lr = optimizer.lr();
        b.beta1 = optimizer.beta1();
        b.beta2 = optimizer.beta2();
        b.weightDecay = optimizer.weightDecay();
        b.eps = optimizer.eps();
        b.maxSteps = maxSteps;
        b.patience = patience;
        b.solvedAccuracy = solvedAccuracy;
        b.seed = seed;
        b.greedyCheck = greedyCheck;
        b.batchSize = batchSize;
        b.memoryDir = memoryDir;
        return b;
    }

    /** The optimisation settings as stored in {@link RunRecord#settings()} (snake_case keys). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", optimizer.lr());
        m.put("beta1", optimizer.beta1());
        m.put("beta2", optimizer.beta2());
        m.put("weight_decay", optimizer.weightDecay());
        m.put("eps", optimizer.eps());
        m.put("max_steps", maxSteps);
        m.put("patience", patience);
        m.put("solved_accuracy", solvedAccuracy);
        return m;
    }

    /** Builder; every option defaults to the paper's value. */
    public static final class Builder {
        private double lr = 1e-2;
        private double beta1 = 0.9;
        private double beta2 = 0.9;
        private double weightDecay = 0.01;
        private double eps = 1e-8;
        private int maxSteps = 5000;
        private int patience = 2000;
        private double solvedAccuracy = 1.0;
        private long seed = 0;
        private boolean greedyCheck = true;
        private int batchSize = 8;
        private Path memoryDir;

        public Builder optLr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder optBetas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        public Builder optMaxSteps(int maxSteps) {
            this.maxSteps = maxSteps;
            return this;
        }

        public Builder optPatience(int patience) {
            this.patience = patience;
            return this;
        }

        public Builder optSolvedAccuracy(double solvedAccuracy) {
            this.solvedAccuracy = solvedAccuracy;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder optGreedyCheck(boolean greedyCheck) {
            this.greedyCheck = greedyCheck;
            return this;
        }

        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Saves each run's best memory there; normally {@code <run folder>/memory}. */
        public Builder optMemoryDir(Path memoryDir) {
            this.memoryDir = memoryDir;
            return this;
        }

        public CramSettings build() {
            return new CramSettings(
                    new AdamW.Config(lr, beta1, beta2, weightDecay, eps),
                    maxSteps,
                    patience,
                    solvedAccuracy,
                    seed,
                    greedyCheck,
                    batchSize,
                    memoryDir);
        }
    }
}
