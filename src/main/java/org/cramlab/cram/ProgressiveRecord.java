package org.cramlab.cram;

import java.util.List;
import java.util.Map;
import org.cramlab.core.Json;

/**
 * A text crammed progressively (or searched by doubling/bisection): its stages, in order, and its
 * greedy horizon. Serialised with {@link org.cramlab.core.Json#COMPACT} (snake_case names).
 *
 * @param textId id of the text within its set
 * @param textSource "book", "csv", "random", "file" or "literal"
 * @param modelId model id
 * @param nMem K
 * @param seed seed of the first stage's random memory
 * @param policy stage schedule, e.g. {@code grow-1}, {@code doubling}, {@code bisect}, {@code warm}
 * @param criterion {@code greedy} or {@code teacher-forced}
 * @param tokenIds the text's token ids (the longest prefix any stage may cram)
 * @param stages every stage run, in order
 * @param horizon the longest prefix any stage's memory decodes exactly (greedy, first token given;
 *     units of L), 0 when no stage ran the greedy check
 * @param longestPassed length of the longest passed stage (0: none)
 * @param totalSteps optimisation steps over all stages (forward passes, as {@link RunRecord.Trajectory#steps()})
 * @param settings the per-stage optimiser settings
 */
public record ProgressiveRecord(
        String textId,
        String textSource,
        String modelId,
        int nMem,
        long seed,
        String policy,
        String criterion,
        int[] tokenIds,
        List<Stage> stages,
        int horizon,
        int longestPassed,
        int totalSteps,
        Map<String, Object> settings) {

    /**
     * The horizon in encoded tokens ({@link Exactness#encodedTokens}): without the given first token, so
     * runs with and without {@code score_first_token} (and the peer's numbers) compare directly.
     */
    public int encodedTokens() {
        return Exactness.encodedTokens(horizon, Boolean.TRUE.equals(settings == null ? null : settings.get("score_first_token")));
    }

    /**
     * One stage: the text's first {@code length} tokens crammed from a warm start.
     *
     * @param index 0-based stage number
     * @param length L of this stage
     * @param warmFrom length of the stage whose best memory started this one (0: random init)
     * @param steps forward passes of this stage (the first measures the warm start itself: a stage the
     *     warm start already solves costs one step and no update)
     * @param bestLoss min loss, nats per target
     * @param bestAccuracy max teacher-forced accuracy
     * @param passed the criterion held for the best memory
     * @param horizon greedy horizon of the best memory (units of L; -1 when not checked)
     * @param addedTokens tokens this stage added over {@code warmFrom} (all L for a random start)
     * @param addedSurprisalNats cross-entropy of the added tokens under the model without memory, nats
     *     (the first token is never scored, so a random start's sum covers tokens 2..L)
     * @param stopReason solved, patience, max_steps or diverged
     * @param wallTimeSeconds the stage's wall time
     * @param memoryFile best memory of the stage, relative to the run folder (null: not saved)
     */
    public record Stage(
            int index,
            int length,
            int warmFrom,
            int steps,
            double bestLoss,
            double bestAccuracy,
            boolean passed,
            int horizon,
            int addedTokens,
            double addedSurprisalNats,
            String stopReason,
            double wallTimeSeconds,
            String memoryFile) {

        /** This stage with {@code memoryFile} set. */
        public Stage withMemoryFile(String file) {
            return new Stage(index, length, warmFrom, steps, bestLoss, bestAccuracy, passed, horizon, addedTokens,
                    addedSurprisalNats, stopReason, wallTimeSeconds, file);
        }
    }

    /** One-line JSON (snake_case). */
    public String toJson() {
        return Json.COMPACT.toJson(this);
    }

    /** Parses {@link #toJson} output. */
    public static ProgressiveRecord fromJson(String json) {
        return Json.COMPACT.fromJson(json, ProgressiveRecord.class);
    }
}
