package org.cramlab.run;

import org.cramlab.core.Hashing;
import org.cramlab.core.Json;
import org.cramlab.cram.OptimiserSettings;

/**
 * One cramming run of a plan: one model, one text truncated to {@code length} tokens, {@code nMem}
 * memory vectors initialised from {@code seed}.
 *
 * @param modelDir where to load the model from (not part of the run id: the same model may sit at
 *     another path on a cluster node)
 * @param modelId the model's name in records and plots
 * @param text which text
 * @param length L, tokens compressed
 * @param nMem K, memory vectors
 * @param seed memory-init seed
 * @param settings optimiser settings
 * @param exact true: optimised alone (batch size 1), so its result does not depend on which runs would have
 *     shared its batch and is reproduced bit for bit by any schedule (interrupted, resumed, sharded) on the same
 *     machine and thread count; null (never false, so the ids of batched runs stay as they were): batched with
 *     other runs, which changes float rounding (docs/reproducibility.md). Part of the run id.
 */
public record RunSpec(
        String modelDir, String modelId, TextSpec text, int length, int nMem, long seed, OptimiserSettings settings,
        Boolean exact) {

    /** A batched run (see {@link #exact}). */
    public RunSpec(String modelDir, String modelId, TextSpec text, int length, int nMem, long seed, OptimiserSettings settings) {
        this(modelDir, modelId, text, length, nMem, seed, settings, null);
    }

    public RunSpec {
        if (Boolean.FALSE.equals(exact)) exact = null;
        if (modelId == null || modelId.isBlank()) throw new ExperimentException("run model_id must be non-empty");
        if (text == null) throw new ExperimentException("run text must be given (model " + modelId + ")");
        if (length < 2) throw new ExperimentException("run length must be >= 2 tokens, got " + length);
        if (nMem < 1) throw new ExperimentException("run n_mem must be >= 1, got " + nMem);
        if (settings == null) throw new ExperimentException("run settings must be given");
    }

    /**
     * Stable id: the first 16 hex digits of SHA-256 over the canonical JSON of everything that defines
     * the result (model id, text, length, K, seed, settings; field order fixed by this record).
     */
    public String runId() {
        return Hashing.sha256(canonicalJson()).substring(0, 16);
    }

    /** The JSON the id is hashed from; {@code modelDir} is left out on purpose (see the record doc). */
    public String canonicalJson() {
        return Json.COMPACT.toJson(new RunSpec(null, modelId, text, length, nMem, seed, settings, exact));
    }

    /** Whether this run is optimised alone (see {@link #exact}). */
    public boolean isExact() {
        return exact != null && exact;
    }

    /** This run in exact mode (a different run id). */
    public RunSpec asExact() {
        return new RunSpec(modelDir, modelId, text, length, nMem, seed, settings, true);
    }
}
