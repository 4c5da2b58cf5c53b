package org.cramlab.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.Capacity;
import org.cramlab.core.Versions;
import org.cramlab.cram.CramException;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.RunListener;
import org.cramlab.cram.RunRecord;
import org.cramlab.model.CausalLM;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code capacity}: decoding capacity at fixed K over a set of texts and a length grid. Writes
 * {@code records.jsonl} (one run record per line, appended as each run finishes), the best memories
 * under {@code memory/}, and {@code summary.json}.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true,
        description = "Decoding capacity: largest length whose mean best accuracy over the texts is >= 0.99.")
public final class CapacityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    OptimOptions optimOptions;

    @Option(names = "--texts", required = true, paramLabel = "F",
            description = ".csv with a 'text' column, .jsonl with 'text' (and 'id'), or one text per line.")
    Path texts;

    @Option(names = "--limit", defaultValue = "50", description = "Use the first N texts (default: ${DEFAULT-VALUE}, as the paper).")
    int limit;

    @Option(names = "--lengths", split = ",", paramLabel = "L,L,...",
            description = "Length grid (default: the paper's 8,16,...,3072; lengths beyond the model are dropped).")
    List<Integer> lengths;

    @Option(names = "--mem", defaultValue = "1", paramLabel = "K", description = "Memory vectors (default: ${DEFAULT-VALUE}).")
    int mem;

    @Option(names = "--bisect", defaultValue = "0", paramLabel = "N",
            description = "Bisection rounds between the last passing and first failing grid length (default: ${DEFAULT-VALUE}).")
    int bisect;

    @Option(names = "--batch", paramLabel = "B", description = "Runs per batched step (default: ${DEFAULT-VALUE}).")
    int batch = CramSettings.paper().batchSize();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: capacity-<model>-K<k>).")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (CausalLM model = modelOptions.load();
                TextTokenizer tokenizer = modelOptions.tokenizer()) {
            List<Capacity.Text> textList = TextsFile.read(texts, limit, tokenizer);
            Path dir = out != null ? out : Path.of("capacity-" + model.info().modelId() + "-K" + mem);
            org.cramlab.experiment.OutputFolder.requireWritable(dir, "--out");
            CramSettings settings = optimOptions.settings().optBatchSize(batch).optMemoryDir(dir.resolve("memory")).build();
            Capacity capacity = Capacity.builder(model, tokenizer)
                    .optSettings(settings)
                    .optMem(mem)
                    .optLengths(lengths == null ? Capacity.PAPER_GRID : lengths)
                    .optBisectRounds(bisect)
                    .build();
            err.printf(Locale.ROOT, "%d texts, lengths %s, K=%d -> %s%n", textList.size(), capacity.grid(), mem, dir);
            Capacity.Result result;
            try (Writer records = Files.newBufferedWriter(dir.resolve("records.jsonl"),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                result = capacity.run(textList, new Appender(records, err));
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("result", result.withoutRecords());
            summary.put("settings", settings.asMap());
            summary.put("texts", texts.toString());
            summary.put("environment", Versions.all());
            Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
                    .setFieldNamingPolicy(com.google.gson.FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();
            Files.writeString(dir.resolve("summary.json"), gson.toJson(summary));
            stdout.println(table(result));
            stdout.flush();
            return 0;
        }
    }

    /** Appends each finished record to records.jsonl at once and logs one line. */
    private static final class Appender implements RunListener {
        private final Writer records;
        private final PrintWriter log;
        private int done;

        Appender(Writer records, PrintWriter log) {
            this.records = records;
            this.log = log;
        }

        @Override
        public void onFinished(CramResult result) {
            RunRecord r = result.record();
            try {
                records.write(r.toJson());
                records.write('\n');
                records.flush();
            } catch (IOException e) {
                throw new CramException("cannot append to records.jsonl: " + e.getMessage(), e);
            }
            done++;
            log.printf(Locale.ROOT, "[%d] L=%d %s acc %.4f (orig %.4f) steps %d %s greedy %s %.1fs%n",
                    done, r.text().length(), r.text().textId(), r.metrics().bestAccuracy(), r.metrics().originalAccuracy(), r.trajectory().steps(), r.trajectory().stopReason(),
                    r.metrics().greedyExactMatch() ? "exact" : r.metrics().greedyPrefixLength() + "/" + (r.text().length() - 1), r.trajectory().wallTimeSeconds());
            log.flush();
        }
    }

    static String table(Capacity.Result r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-8s %5s %10s %11s %14s%n", "length", "runs", "mean acc", "token gain", "info gain nats"));
        for (Capacity.LengthStats l : r.lengths()) {
            s.append(String.format(Locale.ROOT, "%-8d %5d %10.4f %11.1f %14.1f%s%n", l.length(), l.runs(),
                    l.meanBestAccuracy(), l.meanTokenGain(), l.meanInformationGainNats(), l.passed() ? "  pass" : ""));
        }
        s.append(String.format(Locale.ROOT, "decoding capacity (K=%d): %d tokens%s%n", r.nMem(), r.decodingCapacity(),
                r.bisectedCapacity() != r.decodingCapacity() ? " (bisection: " + r.bisectedCapacity() + ")" : ""));
        s.append(String.format(Locale.ROOT, "theoretical capacity 16d/log2|V| = %.1f tokens; token gain over %d saturated runs %.1f;"
                + " utilisation %.4f", r.theoreticalCapacity(), r.saturatedRuns(), r.meanTokenGainSaturated(), r.utilisation()));
        return s.toString();
    }
}
