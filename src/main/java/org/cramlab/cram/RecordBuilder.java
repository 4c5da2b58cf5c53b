package org.cramlab.cram;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cramlab.core.Hashing;
import org.cramlab.core.Versions;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LayerView;
import org.cramlab.model.ModelInfo;

/** Turns a stopped {@link Run} into its {@link RunRecord}: metrics, greedy check, saved memory. */
final class RecordBuilder {

    /** How the engine initialises a memory ({@link Memory#random} from the run's seed), as records say it. */
    static final String RANDOM_INIT = "seeded N(0,1) * embedding std";

    private final CausalLM model;
    private final CramSettings settings;

    RecordBuilder(CausalLM model, CramSettings settings) {
        this.model = model;
        this.settings = settings;
    }

    CramResult finish(Run run) {
        ModelInfo info = model.info();
        CramTask task = run.task;
        int length = task.length();
        int k = task.nMem();
        float[] best = run.bestMemory();
        double seconds = run.elapsedSeconds();

        // min(losses) and max(accuracies) independently, as the paper's analysis notebooks do
        double bestLoss = run.losses.stream().filter(Double::isFinite).mapToDouble(x -> x).min().orElse(Double.NaN);
        double bestAcc = run.accuracies.stream().mapToDouble(x -> x).max().orElse(Double.NaN);
        double originalCe = Metrics.textCe(run.originalLoss, length);
        double bestCe = Metrics.textCe(bestLoss, length);
        double gain = originalCe - bestCe;

        Greedy greedy = settings.greedyCheck() ? Greedy.decode(model, best, k, task.tokenIds(), settings.scoreFirstToken()) : null;
        String id = task.runId() != null ? task.runId() : runId(info, task);
        String memoryFile = null;
        if (settings.memoryDir() != null) {
            Path file = settings.memoryDir().resolve(id + ".safetensors");
            Memory.save(file, best, k, info.hiddenSize(), memoryMetadata(id, info, task, run));
            Path folder = settings.memoryDir().getFileName();
            memoryFile = (folder == null ? "" : folder + "/") + file.getFileName();
        }
        RunRecord record = RunRecord.builder()
                .runId(id)
                .textId(task.textId()).textSource(task.textSource()).text(task.text()).tokenIds(task.tokenIds())
                .length(length)
                .modelId(modelId(info)).nMem(k).seed(task.seedOr(settings)).optimiser(settingsMap(task))
                .losses(Collections.unmodifiableList(run.losses)).accuracies(Collections.unmodifiableList(run.accuracies))
                .steps(run.losses.size()).stopReason(run.stop.label()).wallTimeSeconds(seconds)
                .originalLoss(run.originalLoss).originalAccuracy(run.originalAccuracy)
                .bestLoss(bestLoss).bestAccuracy(bestAcc)
                .originalCeNats(originalCe).bestCeNats(bestCe)
                .originalCeBits(Metrics.bits(originalCe)).bestCeBits(Metrics.bits(bestCe))
                .informationGainNats(gain).informationGainBits(Metrics.bits(gain))
                .tokenGain(Metrics.tokenGain(bestAcc, run.originalAccuracy, length))
                .greedyExactMatch(greedy != null && greedy.exactMatch())
                .greedyPrefixLength(greedy == null ? -1 : greedy.prefixLength())
                .greedyTokenAccuracy(greedy == null ? Double.NaN : greedy.tokenAccuracy())
                .exactness(greedy == null ? Exactness.NOT_MEASURED : Exactness.of(model, best, k, task.tokenIds(), greedy, settings.scoreFirstToken()))
                .hiddenSize(info.hiddenSize()).vocabSize(info.vocabSize()).dtype(info.dtype()).device(info.device())
                .versions(environment(info))
                .memoryFile(memoryFile)
                .build();
        return new CramResult(record, best);
    }

    /** The model's name in records: the settings' if given (a plan names its models), else the model's own. */
    private String modelId(ModelInfo info) {
        return settings.modelId() != null ? settings.modelId() : info.modelId();
    }

    private Map<String, Object> settingsMap(CramTask task) {
        Map<String, Object> m = withLayers(model, settings.asMap());
        m.put("init", task.initMemory() == null ? RANDOM_INIT : settings.initLabel() != null ? settings.initLabel() : "given");
        return m;
    }

    /**
     * {@code m} plus {@code layers} when the model is a truncated {@link LayerView}: a cut model's runs are
     * other runs (other ids); a whole model's settings, and so its run ids, stay as they were.
     */
    static Map<String, Object> withLayers(CausalLM model, Map<String, Object> m) {
        if (model instanceof LayerView v && v.isTruncated()) {
            m.put("layers", v.layers());
        }
        return m;
    }

    private Map<String, String> environment(ModelInfo info) {
        Map<String, String> env = new LinkedHashMap<>(Versions.all());
        env.put("pytorch", model.manager().getEngine().getVersion()); // the libtorch actually loaded
        env.put("dtype", info.dtype());
        env.put("device", info.device());
        env.put("threads", String.valueOf(org.cramlab.model.TorchThreads.inUse())); // PyTorch's, not the CPU count
        if (info.device().startsWith("cpu")) { // a preloaded OpenBLAS rounds otherwise than MKL; a GPU uses neither
            env.put("blas", org.cramlab.model.BlasThreads.describe());
        }
        return env;
    }

    private Map<String, String> memoryMetadata(String id, ModelInfo info, CramTask task, Run run) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("run_id", id);
        m.put("model_id", modelId(info));
        m.put("text_id", String.valueOf(task.textId()));
        m.put("length", String.valueOf(task.length()));
        m.put("n_mem", String.valueOf(task.nMem()));
        m.put("seed", String.valueOf(task.seedOr(settings)));
        m.put("best_accuracy", String.valueOf(run.accuracies.stream().mapToDouble(x -> x).max().orElse(0)));
        m.put("stop_reason", run.stop.label());
        return m;
    }

    /** A stable 16-hex id from what determines the run: model, tokens, K, seed, settings, init. */
    String runId(ModelInfo info, CramTask task) {
        StringBuilder s = new StringBuilder();
        s.append(modelId(info)).append('|').append(info.dtype()).append('|')
                .append(Arrays.toString(task.tokenIds())).append('|').append(task.nMem()).append('|')
                .append(task.seedOr(settings)).append('|').append(withLayers(model, settings.asMap())).append('|')
                .append(task.initMemory() == null ? "random" : Arrays.hashCode(task.initMemory()));
        return Hashing.sha256(s.toString()).substring(0, 16);
    }
}
