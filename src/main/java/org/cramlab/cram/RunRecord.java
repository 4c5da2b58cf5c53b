package org.cramlab.cram;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.List;
import java.util.Map;

/**
 * Everything one cramming run (one text, one length L, K memory vectors) produced. Serialised as one
 * JSON object with snake_case names (Gson {@code LOWER_CASE_WITH_UNDERSCORES}), the names the paper's
 * result pickles use where they overlap.
 *
 * <p>Definitions (paper section 1.3; CE in nats, natural log):
 * <ul>
 *   <li>{@code originalCeNats = originalLoss * length} (the paper multiplies the mean over L-1 targets
 *       by L; we keep that so numbers are comparable)
 *   <li>{@code bestCeNats = min(losses) * length}
 *   <li>{@code informationGainNats = originalCeNats - bestCeNats}
 *   <li>{@code tokenGain = (max(accuracies) - originalAccuracy) * length}
 *   <li>bits = nats / ln 2; {@code bestLoss = min(losses)} and {@code bestAccuracy = max(accuracies)}
 *       are taken independently over the trajectory, as the paper's analysis does (its pickles'
 *       {@code best_loss} is instead the loss at the best-accuracy step)
 * </ul>
 *
 * <p>A diverged run keeps its NaN/infinite loss in {@code losses}; {@link #toJson} writes it as the
 * bare token {@code NaN}/{@code Infinity} (Python's json reads both).
 *
 * @param runId stable id derived from the run's content (model, text, length, K, seed, settings)
 * @param modelId model id as given by the user
 * @param textId id of the text within its text set (e.g. "book:17", "random:3")
 * @param textSource "book", "csv", "random", "file" or "literal"
 * @param text the text actually compressed (decoded from the L tokens)
 * @param tokenIds the L token ids compressed
 * @param length L, number of text tokens (special tokens included, as the paper counts them)
 * @param nMem K, number of memory vectors
 * @param seed seed of the memory init
 * @param losses per-step loss before that step's update
 * @param accuracies per-step teacher-forced accuracy before that step's update
 * @param stopReason solved, patience, max_steps or diverged
 * @param memoryFile path of the best memory (safetensors, tensor "memory"), relative to the run folder
 * @param settings optimiser settings (lr, beta1, beta2, weight_decay, eps, max_steps, patience)
 * @param environment library versions, dtype, device, java version, host
 */
public record RunRecord(
        String runId,
        String modelId,
        String textId,
        String textSource,
        String text,
        int[] tokenIds,
        int length,
        int nMem,
        long seed,
        int hiddenSize,
        int vocabSize,
        List<Double> losses,
        List<Double> accuracies,
        double originalLoss,
        double originalAccuracy,
        double bestLoss,
        double bestAccuracy,
        int steps,
        String stopReason,
        double originalCeNats,
        double bestCeNats,
        double originalCeBits,
        double bestCeBits,
        double informationGainNats,
        double informationGainBits,
        double tokenGain,
        boolean greedyExactMatch,
        int greedyPrefixLength,
        double greedyTokenAccuracy,
        double wallTimeSeconds,
        String dtype,
        String device,
        String memoryFile,
        Map<String, Object> settings,
        Map<String, String> environment) {

    /** Gson with the record's snake_case names; non-finite numbers allowed (diverged runs). */
    public static final Gson GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues()
            .disableHtmlEscaping()
            .create();

    /** One-line JSON object with snake_case field names. */
    public String toJson() {
        return GSON.toJson(this);
    }

    /** Parses {@link #toJson} output. */
    public static RunRecord fromJson(String json) {
        return GSON.fromJson(json, RunRecord.class);
    }

    /** This record with {@code memoryFile} set (after the caller saved the memory itself). */
    public RunRecord withMemoryFile(String file) {
        return new RunRecord(runId, modelId, textId, textSource, text, tokenIds, length, nMem, seed, hiddenSize,
                vocabSize, losses, accuracies, originalLoss, originalAccuracy, bestLoss, bestAccuracy, steps,
                stopReason, originalCeNats, bestCeNats, originalCeBits, bestCeBits, informationGainNats,
                informationGainBits, tokenGain, greedyExactMatch, greedyPrefixLength, greedyTokenAccuracy,
                wallTimeSeconds, dtype, device, file, settings, environment);
    }

    /** Compression ratio L / K. */
    public double compressionRatio() {
        return Metrics.compressionRatio(length, nMem);
    }
}
