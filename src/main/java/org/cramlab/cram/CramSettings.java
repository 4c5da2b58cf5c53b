package org.cramlab.cram;

import java.nio.file.Path;
import java.util.Map;

/**
 * Options of a cramming run: the optimiser and its step budget ({@link OptimiserSettings}, the paper's by
 * default), plus what the engine does around it: stop when the accuracy reaches exactly 1.0, the memory
 * init seed, the greedy check, the batch size and where best memories go.
 *
 * @param optimiser AdamW hyper-parameters, step cap and patience
 * @param solvedAccuracy stop once the best accuracy reaches this (1.0: every target right)
 * @param seed seed of the memory init (java.util.Random, see {@link Memory#random})
 * @param greedyCheck decode greedily from the best memory after each run
 * @param batchSize runs optimised together in one batched forward/backward
 * @param memoryDir where best memories are saved as {@code <run_id>.safetensors}; null: not saved
 * @param modelId the model's name in records; null: the model's own id (e.g. its directory name)
 * @param subspace optimise each memory inside this fixed basis ({@link Subspace}); null: the whole space
 * @param scoreFirstToken the last memory position also predicts the text's first token (the Progressive
 *     Cramming peer's indexing; see {@link Batch}); false: the first token is given (the paper's)
 * @param initLabel how given start memories were made (e.g. a learned init), recorded as settings.init; null:
 *     "given" (or the random init when a task has no start memory)
 */
public record CramSettings(
        OptimiserSettings optimiser,
        double solvedAccuracy,
        long seed,
        boolean greedyCheck,
        int batchSize,
        Path memoryDir,
        String modelId,
        Subspace subspace,
        boolean scoreFirstToken,
        String initLabel) {

    public CramSettings {
        if (optimiser == null) {
            throw new CramException("optimiser settings must be given");
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

    /** Most forward passes (= recorded steps) per run. */
    public int maxSteps() {
        return optimiser.maxSteps();
    }

    /** Stop after this many consecutive steps without a strict accuracy improvement. */
    public int patience() {
        return optimiser.patience();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.optimiser = optimiser;
        b.solvedAccuracy = solvedAccuracy;
        b.seed = seed;
        b.greedyCheck = greedyCheck;
        b.batchSize = batchSize;
        b.memoryDir = memoryDir;
        b.modelId = modelId;
        b.subspace = subspace;
        b.scoreFirstToken = scoreFirstToken;
        b.initLabel = initLabel;
        return b;
    }

    /** The optimisation settings as stored in a run record's settings (snake_case keys). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = optimiser.toMap();
        m.put("solved_accuracy", solvedAccuracy);
        if (subspace != null) { // absent for plain runs, so their run ids stay as they were
            m.put("subspace", subspace.label());
        }
        if (scoreFirstToken) { // likewise absent with the paper's indexing
            m.put("score_first_token", true);
        }
        return m;
    }

    /** Builder; every option defaults to the paper's value ({@link OptimiserSettings#paper()}). */
    public static final class Builder {
        private OptimiserSettings optimiser = OptimiserSettings.paper();
        private double solvedAccuracy = 1.0;
        private long seed = 0;
        private boolean greedyCheck = true;
        private int batchSize = 8;
        private Path memoryDir;
        private String modelId;
        private Subspace subspace;
        private boolean scoreFirstToken;
        private String initLabel;

        /** All optimiser settings at once (e.g. a plan's). */
        public Builder optOptimiser(OptimiserSettings optimiser) {
            this.optimiser = optimiser;
            return this;
        }

        public Builder optLr(double lr) {
            optimiser = optimiser.withLr(lr);
            return this;
        }

        public Builder optBetas(double beta1, double beta2) {
            optimiser = optimiser.withBetas(beta1, beta2);
            return this;
        }

        public Builder optWeightDecay(double weightDecay) {
            optimiser = optimiser.withWeightDecay(weightDecay);
            return this;
        }

        public Builder optEps(double eps) {
            optimiser = optimiser.withEps(eps);
            return this;
        }

        public Builder optMaxSteps(int maxSteps) {
            optimiser = optimiser.withSteps(maxSteps, optimiser.patience());
            return this;
        }

        public Builder optPatience(int patience) {
            optimiser = optimiser.withSteps(optimiser.maxSteps(), patience);
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

        /** The model's name in records (default: the model's own id); a plan names its models itself. */
        public Builder optModelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /** Optimise inside this basis (memory = offset + z U, only z trainable); null: the whole space. */
        public Builder optSubspace(Subspace subspace) {
            this.subspace = subspace;
            return this;
        }

        /**
         * Score the first text token too (default false, the paper's indexing): the memory must predict it
         * instead of getting it for free; loss, accuracy, greedy check and horizons then cover all L tokens.
         */
        public Builder optScoreFirstToken(boolean scoreFirstToken) {
            this.scoreFirstToken = scoreFirstToken;
            return this;
        }

        /** Names how given start memories were made (records' settings.init); the run ids do not change. */
        public Builder optInitLabel(String initLabel) {
            this.initLabel = initLabel;
            return this;
        }

        public CramSettings build() {
            return new CramSettings(optimiser, solvedAccuracy, seed, greedyCheck, batchSize, memoryDir, modelId, subspace,
                    scoreFirstToken, initLabel);
        }
    }
}
