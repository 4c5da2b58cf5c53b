package org.cramlab.init;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cramlab.bits.ModelFingerprint;
import org.cramlab.checkpoint.CheckpointException;
import org.cramlab.checkpoint.Safetensors;
import org.cramlab.checkpoint.SafetensorsWriter;
import org.cramlab.model.CausalLM;

/**
 * A fitted start for the memory, from solved memories of training texts: the {@link Kind#MEAN mean} memory,
 * the memory of the {@link Kind#NEIGHBOUR nearest} training text (cosine of centred {@link TextFeature}s), or a
 * ridge {@link Kind#ENCODER encoder} from the text feature to the memory [K*d]. Bound to one model by the
 * SHA-256 of its weights, config and tokenizer ({@link ModelFingerprint}).
 *
 * <p>File: safetensors with {@code memory} [K, d] (the mean, so the file also works as a plain memory file),
 * {@code mean_feature} [d], and {@code weights} [d, K*d] (encoder) or {@code features} [n, d] and
 * {@code memories} [n, K*d] (neighbour); metadata {@code init_kind}, {@code model_sha256}, {@code model_id},
 * {@code n_train}, {@code lambda}.
 */
public final class LearnedInit {

    /** How the start is chosen. */
    public enum Kind {
        MEAN, NEIGHBOUR, ENCODER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.label().equals(s)) return k;
            }
            throw new InitException("init kind must be mean, neighbour or encoder, got '" + s + "'");
        }
    }

    /** Metadata key naming the kind: marks a file as a learned init. */
    public static final String KIND_KEY = "init_kind";

    /** Metadata key naming the {@link TextFeature.Kind} (absent in older files: the mean embedding). */
    public static final String FEATURE_KEY = "feature";

    /** Default ridge, relative to the mean squared norm of the centred features. */
    public static final double DEFAULT_LAMBDA = 1e-2;

    private final Kind kind;
    private final TextFeature.Kind feature;
    private final String modelSha;
    private final String modelId;
    private final int k;
    private final int d;
    private final double lambda;
    private final int nTrain;
    private final float[] meanFeature;
    private final float[] meanMemory;
    private final float[] weights;
    private final float[][] features;
    private final float[][] memories;

    private LearnedInit(Kind kind, TextFeature.Kind feature, String modelSha, String modelId, int k, int d, double lambda,
            int nTrain, float[] meanFeature, float[] meanMemory, float[] weights, float[][] features, float[][] memories) {
        this.kind = kind;
        this.feature = feature;
        this.modelSha = modelSha;
        this.modelId = modelId;
        this.k = k;
        this.d = d;
        this.lambda = lambda;
        this.nTrain = nTrain;
        this.meanFeature = meanFeature;
        this.meanMemory = meanMemory;
        this.weights = weights;
        this.features = features;
        this.memories = memories;
    }

    /**
     * Fits from training examples: {@code features} [n][d] ({@link TextFeature#meanEmbedding}) and their solved
     * memories [n][K*d]; {@code modelSha} is the model's {@link #fingerprint}.
     */
    public static LearnedInit fit(Kind kind, String modelSha, String modelId, int k, List<float[]> features,
            List<float[]> memories, double lambda) {
        return fit(kind, TextFeature.Kind.MEAN_EMBEDDING, modelSha, modelId, k, features, memories, lambda);
    }

    /** Fits from training examples whose features are of kind {@code feature} (all of one width). */
    public static LearnedInit fit(Kind kind, TextFeature.Kind feature, String modelSha, String modelId, int k,
            List<float[]> features, List<float[]> memories, double lambda) {
        if (features.isEmpty() || features.size() != memories.size()) {
            throw new InitException("fitting an init needs one solved memory per training text, got "
                    + features.size() + " texts and " + memories.size() + " memories");
        }
        float[][] x = features.toArray(float[][]::new);
        float[][] y = memories.toArray(float[][]::new);
        if (k < 1 || y[0].length % k != 0) {
            throw new InitException("solved memories have " + y[0].length + " values, not a multiple of K = " + k);
        }
        for (float[] row : x) {
            if (row.length != x[0].length) {
                throw new InitException("text features differ in width (" + row.length + " vs " + x[0].length
                        + "): positional features need texts of one length");
            }
        }
        int d = y[0].length / k;
        float[] mx = toFloat(Ridge.mean(x));
        float[] my = toFloat(Ridge.mean(y));
        float[] w = kind == Kind.ENCODER ? Ridge.fit(x, y, lambda) : null;
        boolean keep = kind == Kind.NEIGHBOUR;
        return new LearnedInit(kind, feature, modelSha, modelId, k, d, lambda, x.length, mx, my, w, keep ? x : null,
                keep ? y : null);
    }

    /** The start memory [K*d] row-major for a text: computes the feature this init was fitted on. */
    public float[] startFor(CausalLM model, int[] tokenIds) {
        return memoryFor(TextFeature.of(feature, model, tokenIds, meanFeature.length, meanFeature));
    }

    /** The feature this init reads of a text. */
    public TextFeature.Kind feature() {
        return feature;
    }

    /** The model's fingerprint as 64 hex digits (weights, config, tokenizer of its directory). */
    public static String fingerprint(Path modelDir) {
        return ModelFingerprint.of(modelDir, modelDir.getFileName().toString(), "", "").hex();
    }

    /** The start memory [K*d] row-major for a text with this {@link TextFeature}. */
    public float[] memoryFor(float[] feature) {
        if (feature.length != meanFeature.length) {
            throw new InitException("text feature has width " + feature.length + ", the init expects "
                    + meanFeature.length);
        }
        return switch (kind) {
            case MEAN -> meanMemory.clone();
            case NEIGHBOUR -> memories[nearest(feature)].clone();
            case ENCODER -> encode(feature);
        };
    }

    private float[] encode(float[] feature) {
        int m = meanMemory.length;
        double[] out = new double[m];
        for (int c = 0; c < m; c++) out[c] = meanMemory[c];
        for (int j = 0; j < meanFeature.length; j++) {
            double xj = feature[j] - meanFeature[j];
            for (int c = 0; c < m; c++) out[c] += xj * weights[j * m + c];
        }
        return toFloat(out);
    }

    private int nearest(float[] feature) {
        int best = 0;
        double bestCos = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < features.length; i++) {
            double dot = 0, na = 0, nb = 0;
            for (int j = 0; j < feature.length; j++) {
                double a = feature[j] - meanFeature[j];
                double b = features[i][j] - meanFeature[j];
                dot += a * b;
                na += a * a;
                nb += b * b;
            }
            double cos = na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
            if (cos > bestCos) {
                bestCos = cos;
                best = i;
            }
        }
        return best;
    }

    /** Refuses use with another model than the one it was fitted on (one line naming the file and both models). */
    public LearnedInit requireModel(String sha, String otherModelId, Path file) {
        if (!modelSha.equals(sha)) {
            throw new InitException("init file " + file + " was fitted on model " + modelId + " (" + modelSha.substring(0, 12)
                    + "), not on " + otherModelId + " (" + sha.substring(0, 12) + "): fit an init for this model");
        }
        return this;
    }

    /** What records say about this start, e.g. "encoder fitted on 40 texts" ("encoder (positional) ..." for that feature). */
    public String label() {
        String on = feature == TextFeature.Kind.MEAN_EMBEDDING ? "" : " (" + feature.label() + ")";
        return kind.label() + on + " fitted on " + trainingTexts() + " texts";
    }

    public Kind kind() {
        return kind;
    }

    public int k() {
        return k;
    }

    public int d() {
        return d;
    }

    public int trainingTexts() {
        return nTrain;
    }

    /** Writes the init (see the class comment for the layout). */
    public void save(Path file) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KIND_KEY, kind.label());
        meta.put(FEATURE_KEY, feature.label());
        meta.put("model_sha256", modelSha);
        meta.put("model_id", modelId);
        meta.put("n_train", String.valueOf(trainingTexts()));
        meta.put("lambda", String.valueOf(lambda));
        try (NDManager mgr = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("memory", mgr.create(meanMemory, new Shape(k, d)));
            t.put("mean_feature", mgr.create(meanFeature, new Shape(meanFeature.length)));
            if (weights != null) t.put("weights", mgr.create(weights, new Shape(meanFeature.length, (long) k * d)));
            if (features != null) {
                t.put("features", mgr.create(features));
                t.put("memories", mgr.create(memories));
            }
            SafetensorsWriter.write(file, t, meta);
        } catch (CheckpointException e) {
            throw new InitException("cannot write init file " + file + ": " + e.getMessage(), e);
        }
    }

    /** True when {@code file}'s metadata marks it as a learned init (not a plain memory file). */
    public static boolean isLearnedInit(Path file) {
        try (Safetensors st = Safetensors.open(file)) {
            return st.metadata().containsKey(KIND_KEY);
        } catch (CheckpointException e) {
            return false; // not readable as safetensors: the plain memory reader reports why
        }
    }

    /** Reads an init file written by {@link #save}. */
    public static LearnedInit read(Path file) {
        try (Safetensors st = Safetensors.open(file); NDManager mgr = NDManager.newBaseManager()) {
            Map<String, String> meta = st.metadata();
            if (!meta.containsKey(KIND_KEY) || !meta.containsKey("model_sha256")) {
                throw new InitException("init file " + file + " has no " + KIND_KEY + "/model_sha256 metadata: not a fitted init");
            }
            Kind kind = Kind.parse(meta.get(KIND_KEY));
            NDArray mem = st.load("memory", mgr, DataType.FLOAT32);
            int k = (int) mem.getShape().get(0);
            int d = (int) mem.getShape().get(1);
            float[] w = kind == Kind.ENCODER ? st.load("weights", mgr, DataType.FLOAT32).toFloatArray() : null;
            float[][] f = kind == Kind.NEIGHBOUR ? rows(st.load("features", mgr, DataType.FLOAT32)) : null;
            float[][] m = kind == Kind.NEIGHBOUR ? rows(st.load("memories", mgr, DataType.FLOAT32)) : null;
            TextFeature.Kind feature = TextFeature.Kind.parse(meta.getOrDefault(FEATURE_KEY, "mean-embedding"));
            return new LearnedInit(kind, feature, meta.get("model_sha256"), meta.getOrDefault("model_id", "?"), k, d,
                    Double.parseDouble(meta.getOrDefault("lambda", "0")), Integer.parseInt(meta.getOrDefault("n_train", "0")),
                    st.load("mean_feature", mgr, DataType.FLOAT32)
                            .toFloatArray(), mem.toFloatArray(), w, f, m);
        } catch (CheckpointException | NumberFormatException e) {
            throw new InitException("cannot read init file " + file + ": " + e.getMessage(), e);
        }
    }

    private static float[][] rows(NDArray a) {
        int n = (int) a.getShape().get(0);
        int w = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] r = new float[n][w];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * w, r[i], 0, w);
        return r;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }
}
