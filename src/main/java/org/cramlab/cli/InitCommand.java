package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.CramException;
import org.cramlab.init.LearnedInit;
import org.cramlab.init.TextFeature;
import org.cramlab.model.CausalLM;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.OutputFolder;
import org.cramlab.run.Profile;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;
import org.cramlab.run.SolvedMemories;
import org.cramlab.run.TextResolver;
import org.cramlab.run.TextSpec;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code init}: fits learned inits (issue 26) on solved memories: texts crammed now from random noise into the
 * run folder {@code OUT/train} (resumed when rerun), and every solved run of the run folders given.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Fit learned memory inits (mean, neighbour, encoder) on solved memories, for --init of cram and capacity.",
                "Training texts are crammed into OUT/train (a run folder: rerunning resumes); run folders given are read as they are."},
        footer = {"%nExample:", "  java -jar lib/cramlab.jar init --length 8 --train-texts sampled:20 -o inits"})
public final class InitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CramOptions options;

    @Option(names = "--train-texts", required = true, split = ",", paramLabel = "sampled:N|F|RUN_FOLDER", description = {
            "Training texts, comma-separated or repeated: sampled:N (N texts sampled from the model at temperature 1, seeded",
            "by --seed), a texts file (.csv, .jsonl or one text per line: each text's first L tokens), or a run folder (its",
            "solved runs are examples as they are)."})
    List<String> trainTexts;

    @Option(names = "--length", paramLabel = "L", description = "Tokens per training text (needed for sampled:N and texts files;"
            + " with run folders, only their runs of this length are used).")
    Integer length;

    @Option(names = "--kind", defaultValue = "all", paramLabel = "mean|neighbour|encoder|all",
            description = "Which inits to fit (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--feature", defaultValue = "mean-embedding", paramLabel = "mean-embedding|positional|hidden|hidden-last", description = {
            "What neighbour and encoder read of a text: the mean of its input embeddings, all of them in order (needs one",
            "--length), or the frozen model's final hidden states mean-pooled or at the last position",
            "(default: ${DEFAULT-VALUE})."})
    String feature;

    @Option(names = "--lambda", paramLabel = "X", description = "Ridge strength, relative to the features' mean squared norm"
            + " (default: ${DEFAULT-VALUE}).")
    double lambda = LearnedInit.DEFAULT_LAMBDA;

    @Option(names = "--mem", defaultValue = "1", paramLabel = "K", description = "Memory vectors (default: ${DEFAULT-VALUE}).")
    int mem;

    @Option(names = "--held-out", defaultValue = "0", paramLabel = "F", description = {"Leave out the texts whose content hash"
            + " falls in the held-out share F (0 <= F < 1) of init.ContentSplit, so that texts held out with the same F are never",
            "trained on (default: ${DEFAULT-VALUE}: train on all)."})
    double heldOut;

    @Option(names = "--refit", description = {"Then cram every training text again from the encoder fitted on them (into",
            "OUT/refit) and fit on those memories: solved from starts near each other, they are more alike than memories",
            "solved from noise (docs/initialisation.md)."})
    boolean refit;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Where the init files and OUT/train go.")
    Path out;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<LearnedInit.Kind> kinds = kind.equals("all") ? List.of(LearnedInit.Kind.values()) : List.of(LearnedInit.Kind.parse(kind));
        TextFeature.Kind featureKind = TextFeature.Kind.parse(feature);
        if (!(heldOut >= 0 && heldOut < 1)) throw new CramException("--held-out must be in [0, 1), got " + heldOut);
        if (length != null && length < 2) throw new CramException("--length must be >= 2, got " + length);
        if (mem < 1) throw new CramException("--mem must be >= 1, got " + mem);
        if (featureKind == TextFeature.Kind.POSITIONAL && length == null) {
            throw new CramException("--feature positional needs --length: one width for every text's feature");
        }
        TrainingTexts.Sources sources = TrainingTexts.parse(trainTexts, length);
        OutputFolder.requireWritable(out, "--out");
        Path modelDir = options.model.directory().toAbsolutePath();
        String modelId = Profile.modelId(modelDir.toString());
        List<TextSample> texts = List.of();
        if (sources.sampled() > 0 || !sources.files().isEmpty()) {
            try (CausalLM model = options.model.load(); TextTokenizer tok = options.model.tokenizer()) {
                texts = TrainingTexts.gather(sources, model, tok, length, options.optim.seed(), heldOut, err);
            }
        }
        long t0 = System.nanoTime();
        int crammed = texts.isEmpty() ? 0 : cram(texts, modelDir, modelId, "train", null);
        double crammingSeconds = (System.nanoTime() - t0) / 1e9;
        try (CausalLM model = options.model.load()) {
            int d = model.info().hiddenSize();
            List<SolvedMemories.Example> examples = new ArrayList<>();
            if (!texts.isEmpty()) examples.addAll(SolvedMemories.read(out.resolve("train"), modelId, mem, d, length));
            for (Path folder : sources.runFolders()) examples.addAll(SolvedMemories.read(folder, modelId, mem, d, length));
            if (examples.isEmpty()) {
                throw new CramException("--train-texts " + String.join(",", trainTexts) + " gave no solved memory of model "
                        + modelId + " with K = " + mem + (length == null ? "" : " and L = " + length) + ": nothing to fit");
            }
            String sha = LearnedInit.fingerprint(modelDir);
            if (refit) {
                LearnedInit start = fit(LearnedInit.Kind.ENCODER, examples, model, sha, modelId);
                List<TextSample> again = new ArrayList<>();
                for (SolvedMemories.Example e : examples) again.add(TrainingTexts.named("refit", e.text(), e.tokenIds()));
                long tr = System.nanoTime();
                crammed += cram(again, modelDir, modelId, "refit", start);
                crammingSeconds += (System.nanoTime() - tr) / 1e9;
                examples = SolvedMemories.read(out.resolve("refit"), modelId, mem, d, length);
            }
            long t1 = System.nanoTime();
            Map<LearnedInit.Kind, Path> written = new LinkedHashMap<>();
            for (LearnedInit.Kind k : kinds) {
                Path file = out.resolve(k.label() + ".safetensors");
                fit(k, examples, model, sha, modelId).save(file);
                written.put(k, file);
            }
            double fitSeconds = (System.nanoTime() - t1) / 1e9;
            stdout.printf(Locale.ROOT, "fitted %s on %d solved memories (%d of %d training texts crammed now%s in %.1f s;"
                    + " fitting %.2f s)%n", String.join(", ", written.keySet().stream().map(LearnedInit.Kind::label).toList()),
                    examples.size(), crammed, texts.size(), refit ? ", with the refit" : "", crammingSeconds, fitSeconds);
            written.forEach((k, f) -> stdout.println(k.label() + " " + f));
        }
        stdout.flush();
        return 0;
    }

    /** One init of kind {@code k} fitted on the examples with this command's feature and ridge. */
    private LearnedInit fit(LearnedInit.Kind k, List<SolvedMemories.Example> examples, CausalLM model, String sha, String modelId) {
        TextFeature.Kind featureKind = TextFeature.Kind.parse(feature);
        List<float[]> features = new ArrayList<>();
        List<float[]> memories = new ArrayList<>();
        for (SolvedMemories.Example e : examples) {
            features.add(TextFeature.of(featureKind, model, e.tokenIds()));
            memories.add(e.memory());
        }
        return LearnedInit.fit(k, featureKind, sha, modelId, mem, features, memories, lambda);
    }

    /**
     * Crams the texts into the run folder OUT/{@code folderName} (only the runs still missing), from {@code start}
     * (null: random noise); returns how many ran now.
     */
    private int cram(List<TextSample> texts, Path modelDir, String modelId, String folderName, LearnedInit start) {
        Map<String, TextSample> byId = new LinkedHashMap<>();
        List<RunSpec> runs = new ArrayList<>();
        for (TextSample t : texts) {
            byId.put(t.id(), t);
            runs.add(new RunSpec(modelDir.toString(), modelId, new TextSpec(TextSource.LITERAL, null, 0, 0, t.id()),
                    t.tokenIds().length, mem, options.optim.seed(), options.optim.optimiser()));
        }
        TextResolver resolver = (spec, len, tok) -> {
            TextSample t = byId.get(spec.id());
            return new TextResolver.Resolved(t.text(), t.tokenIds());
        };
        ExperimentRunner runner = ExperimentRunner.builder().optTexts(resolver).optGreedyCheck(false).optInit(start)
                .optModelLoader(d -> options.model.load()).optParams(Map.of("train_texts", trainTexts, RunInit.KEY,
                        start == null ? RunInit.RANDOM : start.label())).build();
        try (RunFolder folder = RunFolder.open(out.resolve(folderName))) {
            return runner.run(new ExperimentPlan("init-" + folderName, runs), folder).computed();
        }
    }
}
