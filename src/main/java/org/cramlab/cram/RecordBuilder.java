package org.cramlab.cram;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cramlab.core.Hashing;
import org.cramlab.core.Versions;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;

/** Turns a stopped {@link Run} into its {@link RunRecord}: metrics, greedy check, saved memory. */
final class RecordBuilder {

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

        Greedy greedy = settings.greedyCheck() ? Greedy.decode(model, best, k, task.tokenIds()) : null;
        String id = runId(info, task);
        String memoryFile = null;
        if (settings.memoryDir() != null) {
            Path file = settings.memoryDir().resolve(id + ".safetensors");
            Memory.save(file, best, k, info.hiddenSize(), memoryMetadata(id, info, task, run));
            Path folder = settings.memoryDir().getFileName();
            memoryFile = (folder == null ? "" : folder + "/") + file.getFileName();
        }
        RunRecord record = new RunRecord(
                id,
                info.modelId(),
                task.textId(),
                task.textSource(),
                task.text(),
                task.tokenIds(),
                length,
                k,
                task.seedOr(settings),
                info.hiddenSize(),
                info.vocabSize(),
                Collections.unmodifiableList(run.losses),
                Collections.unmodifiableList(run.accuracies),
                run.originalLoss,
                run.originalAccuracy,
                bestLoss,
                bestAcc,
                run.losses.size(),
                run.stop.label(),
                originalCe,
                bestCe,
                Metrics.bits(originalCe),
                Metrics.bits(bestCe),
                gain,
                Metrics.bits(gain),
                Metrics.tokenGain(bestAcc, run.originalAccuracy, length),
                greedy != null && greedy.exactMatch(),
                greedy == null ? -1 : greedy.prefixLength(),
                greedy == null ? Double.NaN : greedy.tokenAccuracy(),
                seconds,
                info.dtype(),
                info.device(),
                memoryFile,
                settingsMap(task),
                environment(info));
        return new CramResult(record, best);
    }

    private Map<String, Object> settingsMap(CramTask task) {
        Map<String, Object> m = settings.asMap();
        m.put("init", task.initMemory() == null ? "random" : "given");
        return m;
    }

    private static Map<String, String> environment(ModelInfo info) {
        Map<String, String> env = new LinkedHashMap<>(Versions.all());
        env.put("dtype", info.dtype());
        env.put("device", info.device());
        env.put("threads", String.valueOf(Runtime.getRuntime().availableProcessors()));
        return env;
    }

    private Map<String, String> memoryMetadata(String id, ModelInfo info, CramTask task, Run run) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("run_id", id);
        m.put("model_id", info.modelId());
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
        s.append(info.modelId()).append('|').append(info.dtype()).append('|')
                .append(Arrays.toString(task.tokenIds())).append('|').append(task.nMem()).append('|')
                .append(task.seedOr(settings)).append('|').append(settings.asMap()).append('|')
                .append(task.initMemory() == null ? "random" : Arrays.hashCode(task.initMemory()));
        return Hashing.sha256(s.toString()).substring(0, 16);
    }
}
