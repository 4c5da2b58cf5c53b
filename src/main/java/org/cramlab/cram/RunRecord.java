package org.cramlab.cram;

import com.google.gson.JsonDeserializationContext;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonSerializationContext;
import com.google.gson.JsonSerializer;
import com.google.gson.annotations.JsonAdapter;
import com.google.gson.annotations.SerializedName;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import org.cramlab.core.Json;

/**
 * Everything one cramming run (one text, one length L, K memory vectors) produced, in named parts.
 * Serialised as ONE flat JSON object with snake_case names (the names the paper's result pickles use
 * where they overlap): the parts group the Java API only, so records written before the parts existed
 * read back unchanged, and Python sees the same keys.
 *
 * <p>Definitions (paper section 1.3; CE in nats, natural log), see {@link org.cramlab.cram.Metrics}:
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
 * <p>A diverged run keeps its NaN/infinite loss in {@code losses}; {@link #toJson} writes strict JSON: such a
 * number is {@code null} and listed under {@code "non_finite"} by JSON Pointer ({@link Json}), and
 * {@link #fromJson} restores it (records written earlier with bare {@code NaN} read too).
 *
 * <p><b>Adding a field</b>: add a component to the part it belongs to, declared as a boxed type
 * ({@code Double}, {@code Integer}, {@code Boolean}) or a collection, a setter to {@link Builder} and a line
 * to {@link Builder#build()} and {@link #toBuilder()}. Records written before the field existed then read
 * back with it {@code null} ("not measured"), never a made-up 0; a new key must not repeat another part's
 * key (serialising fails loudly if it does). Keys a reader does not know are ignored.
 *
 * @param runId stable id: the caller's ({@link CramTask#runId()}, e.g. a plan's) or one derived from the
 *     run's content (model, text, K, seed, settings)
 * @param text what was compressed
 * @param settings what was asked: model, K, seed, optimiser settings
 * @param trajectory the per-step losses and accuracies and why the run stopped
 * @param metrics the paper's measures derived from the trajectory, and the greedy check
 * @param environment where it ran: model shape, dtype, device, library versions
 * @param memoryFile path of the best memory (safetensors, tensor "memory"), relative to the run folder;
 *     null: not saved
 */
@JsonAdapter(RunRecord.FlatJson.class)
public record RunRecord(
        String runId, Text text, Settings settings, Trajectory trajectory, Metrics metrics, Environment environment,
        String memoryFile) {

    /**
     * The text compressed.
     *
     * @param textId id of the text within its text set (e.g. "book:17", "random:3")
     * @param textSource "book", "csv", "random", "file" or "literal"
     * @param content the text actually compressed (decoded from the L tokens); null when only ids were given
     * @param tokenIds the L token ids compressed
     * @param length L, number of text tokens (special tokens included, as the paper counts them)
     */
    public record Text(String textId, String textSource, @SerializedName("text") String content, int[] tokenIds, int length) {}

    /**
     * What the run was asked to do.
     *
     * @param modelId model id as given by the user (or the plan)
     * @param nMem K, number of memory vectors
     * @param seed seed of the memory init
     * @param optimiser optimiser settings (lr, beta1, beta2, weight_decay, eps, max_steps, patience,
     *     solved_accuracy) and how the memory was initialised (init); JSON key {@code settings}
     */
    public record Settings(String modelId, int nMem, long seed, @SerializedName("settings") Map<String, Object> optimiser) {}

    /**
     * How the optimisation went.
     *
     * @param losses per-step loss before that step's update (nats per target token)
     * @param accuracies per-step teacher-forced accuracy before that step's update
     * @param steps number of recorded steps
     * @param stopReason solved, patience, max_steps or diverged
     * @param wallTimeSeconds from the run's start to its stop
     */
    public record Trajectory(List<Double> losses, List<Double> accuracies, int steps, String stopReason, double wallTimeSeconds) {}

    /**
     * The paper's measures (see the class comment) and the greedy reconstruction check.
     *
     * @param greedyExactMatch greedy decoding from the best memory reproduces all L-1 targets
     * @param greedyPrefixLength targets right before the first greedy mistake; -1: not checked
     * @param greedyTokenAccuracy fraction of greedy tokens right; NaN: not checked
     * @param greedyHorizon longest prefix greedy decoding reproduces, in units of L (first token given,
     *     see {@link Exactness}); null: not measured (records before it existed, or no greedy check)
     * @param decodeMargin min over the L-1 scored positions of logit[correct] - max other logit; negative
     *     means a teacher-forced error; null: not measured
     * @param greedyExactBf16 greedy decoding is exact from the best memory rounded to bfloat16; null: not measured
     * @param greedyExactFp16 the same after rounding to float16; null: not measured
     */
    public record Metrics(
            double originalLoss, double originalAccuracy, double bestLoss, double bestAccuracy,
            double originalCeNats, double bestCeNats, double originalCeBits, double bestCeBits,
            double informationGainNats, double informationGainBits, double tokenGain,
            boolean greedyExactMatch, int greedyPrefixLength, double greedyTokenAccuracy,
            Integer greedyHorizon, Double decodeMargin, Boolean greedyExactBf16, Boolean greedyExactFp16) {}

    /**
     * Where the run ran.
     *
     * @param hiddenSize the model's d
     * @param vocabSize the model's vocabulary size
     * @param dtype the model's weight dtype
     * @param device the device it ran on
     * @param versions library versions, dtype, device, threads (JSON key {@code environment})
     */
    public record Environment(
            int hiddenSize, int vocabSize, String dtype, String device, @SerializedName("environment") Map<String, String> versions) {}

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every value of this record, to change a few. */
    public Builder toBuilder() {
        return new Builder()
                .runId(runId)
                .textId(text.textId()).textSource(text.textSource()).text(text.content()).tokenIds(text.tokenIds())
                .length(text.length())
                .modelId(settings.modelId()).nMem(settings.nMem()).seed(settings.seed()).optimiser(settings.optimiser())
                .losses(trajectory.losses()).accuracies(trajectory.accuracies()).steps(trajectory.steps())
                .stopReason(trajectory.stopReason()).wallTimeSeconds(trajectory.wallTimeSeconds())
                .originalLoss(metrics.originalLoss()).originalAccuracy(metrics.originalAccuracy())
                .bestLoss(metrics.bestLoss()).bestAccuracy(metrics.bestAccuracy())
                .originalCeNats(metrics.originalCeNats()).bestCeNats(metrics.bestCeNats())
                .originalCeBits(metrics.originalCeBits()).bestCeBits(metrics.bestCeBits())
                .informationGainNats(metrics.informationGainNats()).informationGainBits(metrics.informationGainBits())
                .tokenGain(metrics.tokenGain()).greedyExactMatch(metrics.greedyExactMatch())
                .greedyPrefixLength(metrics.greedyPrefixLength()).greedyTokenAccuracy(metrics.greedyTokenAccuracy())
                .greedyHorizon(metrics.greedyHorizon()).decodeMargin(metrics.decodeMargin())
                .greedyExactBf16(metrics.greedyExactBf16()).greedyExactFp16(metrics.greedyExactFp16())
                .hiddenSize(environment.hiddenSize()).vocabSize(environment.vocabSize()).dtype(environment.dtype())
                .device(environment.device()).versions(environment.versions())
                .memoryFile(memoryFile);
    }

    /** One-line JSON object with snake_case field names. */
    public String toJson() {
        return Json.write(this);
    }

    /** Parses {@link #toJson} output, and records written by earlier versions. */
    public static RunRecord fromJson(String json) {
        return Json.read(json, RunRecord.class);
    }

    /** This record with {@code memoryFile} set (after the caller saved the memory itself). */
    public RunRecord withMemoryFile(String file) {
        return toBuilder().memoryFile(file).build();
    }

    /** Compression ratio L / K. */
    public double compressionRatio() {
        return org.cramlab.cram.Metrics.compressionRatio(text.length(), settings.nMem());
    }

    /** Named setters for every value; unset numbers are 0, unset references null. */
    public static final class Builder {
        private String runId;
        private String memoryFile;
        private String textId;
        private String textSource;
        private String text;
        private int[] tokenIds;
        private int length;
        private String modelId;
        private int nMem;
        private long seed;
        private Map<String, Object> optimiser;
        private List<Double> losses;
        private List<Double> accuracies;
        private int steps;
        private String stopReason;
        private double wallTimeSeconds;
        private double originalLoss;
        private double originalAccuracy;
        private double bestLoss;
        private double bestAccuracy;
        private double originalCeNats;
        private double bestCeNats;
        private double originalCeBits;
        private double bestCeBits;
        private double informationGainNats;
        private double informationGainBits;
        private double tokenGain;
        private boolean greedyExactMatch;
        private int greedyPrefixLength;
        private double greedyTokenAccuracy;
        private Integer greedyHorizon;
        private Double decodeMargin;
        private Boolean greedyExactBf16;
        private Boolean greedyExactFp16;
        private int hiddenSize;
        private int vocabSize;
        private String dtype;
        private String device;
        private Map<String, String> versions;

        private Builder() {}

        public Builder runId(String v) { runId = v; return this; }
        public Builder memoryFile(String v) { memoryFile = v; return this; }
        public Builder textId(String v) { textId = v; return this; }
        public Builder textSource(String v) { textSource = v; return this; }
        public Builder text(String v) { text = v; return this; }
        public Builder tokenIds(int[] v) { tokenIds = v; return this; }
        public Builder length(int v) { length = v; return this; }
        public Builder modelId(String v) { modelId = v; return this; }
        public Builder nMem(int v) { nMem = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        /** The optimiser settings map (JSON key {@code settings}). */
        public Builder optimiser(Map<String, Object> v) { optimiser = v; return this; }
        public Builder losses(List<Double> v) { losses = v; return this; }
        public Builder accuracies(List<Double> v) { accuracies = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder stopReason(String v) { stopReason = v; return this; }
        public Builder wallTimeSeconds(double v) { wallTimeSeconds = v; return this; }
        public Builder originalLoss(double v) { originalLoss = v; return this; }
        public Builder originalAccuracy(double v) { originalAccuracy = v; return this; }
        public Builder bestLoss(double v) { bestLoss = v; return this; }
        public Builder bestAccuracy(double v) { bestAccuracy = v; return this; }
        public Builder originalCeNats(double v) { originalCeNats = v; return this; }
        public Builder bestCeNats(double v) { bestCeNats = v; return this; }
        public Builder originalCeBits(double v) { originalCeBits = v; return this; }
        public Builder bestCeBits(double v) { bestCeBits = v; return this; }
        public Builder informationGainNats(double v) { informationGainNats = v; return this; }
        public Builder informationGainBits(double v) { informationGainBits = v; return this; }
        public Builder tokenGain(double v) { tokenGain = v; return this; }
        public Builder greedyExactMatch(boolean v) { greedyExactMatch = v; return this; }
        public Builder greedyPrefixLength(int v) { greedyPrefixLength = v; return this; }
        public Builder greedyTokenAccuracy(double v) { greedyTokenAccuracy = v; return this; }
        public Builder greedyHorizon(Integer v) { greedyHorizon = v; return this; }
        public Builder decodeMargin(Double v) { decodeMargin = v; return this; }
        public Builder greedyExactBf16(Boolean v) { greedyExactBf16 = v; return this; }
        public Builder greedyExactFp16(Boolean v) { greedyExactFp16 = v; return this; }

        /** The four exactness fields from one measurement; {@link Exactness#NOT_MEASURED} leaves them null. */
        public Builder exactness(Exactness e) {
            if (e == Exactness.NOT_MEASURED) {
                return greedyHorizon(null).decodeMargin(null).greedyExactBf16(null).greedyExactFp16(null);
            }
            return greedyHorizon(e.horizon()).decodeMargin(e.margin()).greedyExactBf16(e.exactBf16()).greedyExactFp16(e.exactFp16());
        }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder dtype(String v) { dtype = v; return this; }
        public Builder device(String v) { device = v; return this; }
        /** Library versions and run facts (JSON key {@code environment}). */
        public Builder versions(Map<String, String> v) { versions = v; return this; }

        public RunRecord build() {
            return new RunRecord(
                    runId,
                    new Text(textId, textSource, text, tokenIds, length),
                    new Settings(modelId, nMem, seed, optimiser),
                    new Trajectory(losses, accuracies, steps, stopReason, wallTimeSeconds),
                    new Metrics(originalLoss, originalAccuracy, bestLoss, bestAccuracy, originalCeNats, bestCeNats,
                            originalCeBits, bestCeBits, informationGainNats, informationGainBits, tokenGain,
                            greedyExactMatch, greedyPrefixLength, greedyTokenAccuracy, greedyHorizon, decodeMargin,
                            greedyExactBf16, greedyExactFp16),
                    new Environment(hiddenSize, vocabSize, dtype, device, versions),
                    memoryFile);
        }
    }

    /**
     * The flat JSON form: {@code run_id}, then every part's keys, then {@code memory_file}. Each part reads
     * its own keys from the one object and ignores the others; a key missing from an older record leaves
     * that component null (0/false for the primitives every record has had).
     */
    static final class FlatJson implements JsonSerializer<RunRecord>, JsonDeserializer<RunRecord> {
        private static final List<Class<? extends Record>> PARTS =
                List.of(Text.class, Settings.class, Trajectory.class, Metrics.class, Environment.class);

        @Override
        public JsonElement serialize(RunRecord r, Type type, JsonSerializationContext ctx) {
            JsonObject o = new JsonObject();
            if (r.runId != null) o.addProperty("run_id", r.runId);
            for (Record part : new Record[] {r.text, r.settings, r.trajectory, r.metrics, r.environment}) {
                if (part == null) continue;
                for (Map.Entry<String, JsonElement> e : ctx.serialize(part).getAsJsonObject().entrySet()) {
                    if (o.has(e.getKey())) {
                        throw new IllegalStateException("run record key '" + e.getKey() + "' appears in two parts");
                    }
                    o.add(e.getKey(), e.getValue());
                }
            }
            if (r.memoryFile != null) o.addProperty("memory_file", r.memoryFile);
            return o;
        }

        @Override
        public RunRecord deserialize(JsonElement json, Type type, JsonDeserializationContext ctx) {
            if (!json.isJsonObject()) {
                throw new JsonParseException("a run record is a JSON object, got " + json);
            }
            JsonObject o = json.getAsJsonObject();
            Record[] parts = new Record[PARTS.size()];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = ctx.deserialize(o, PARTS.get(i));
            }
            return new RunRecord(string(o, "run_id"), (Text) parts[0], (Settings) parts[1], (Trajectory) parts[2],
                    (Metrics) parts[3], (Environment) parts[4], string(o, "memory_file"));
        }

        private static String string(JsonObject o, String key) {
            JsonElement e = o.get(key);
            return e == null || e.isJsonNull() ? null : e.getAsString();
        }
    }
}
