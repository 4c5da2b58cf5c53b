package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.CramException;
import org.cramlab.core.Plural;
import org.cramlab.core.Progress;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.Crammer;
import org.cramlab.cram.Memory;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunListener;
import org.cramlab.cram.StagePolicy;
import org.cramlab.cram.Subspace;
import org.cramlab.cram.RunRecord;
import org.cramlab.init.LearnedInit;
import org.cramlab.run.OutputFolder;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LayerView;
import org.cramlab.text.TextFilePrefix;
import org.cramlab.text.TextSource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cram}: compress one text into K memory vectors and print its run record. */
@Command(name = "cram", mixinStandardHelpOptions = true,
        description = "Cram one text into K trainable input vectors of a frozen model (AdamW, paper settings).",
        footer = {"%nExample:", "  java -jar lib/cramlab.jar cram --text \"Hello there\" --length 4 --steps 5"})
public final class CramCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CramOptions options;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "STR", description = "The text (tokenised with the model's tokenizer).")
        String text;

        @Option(names = "--text-file", paramLabel = "F", description = "Read the text from a UTF-8 file.")
        Path textFile;

        @Option(names = "--ids", split = ",", paramLabel = "1,2,3", description = "Token ids, used as given.")
        int[] ids;
    }

    @Option(names = "--mem", paramLabel = "K", description = "Number of memory vectors (default 1, or K of --init).")
    Integer mem;

    @Option(names = "--length", paramLabel = "L", description = "Truncate the text to L tokens (special tokens count).")
    Integer length;

    @Mixin
    InitChoice init;

    /** What settings.init records for a fitted init; null otherwise. */
    private String initLabel;

    @Option(names = "--save-memory", paramLabel = "F", description = "Write the best memory here (safetensors).")
    Path saveMemory;

    @Option(names = "--json", description = "Print the run record as one JSON object (snake_case).")
    boolean json;

    @Option(names = "--progressive", description = {"Progressive cramming: stages of growing prefix length, each warm-started",
            "from the previous best memory; --steps/--patience are the per-stage budget (default here: 1000 steps, the",
            "Progressive Cramming peer's). Prints the stages and the greedy horizon."})
    boolean progressive;

    @Option(names = "--grow", defaultValue = "1", paramLabel = "N|double",
            description = "With --progressive: tokens added per stage, or 'double' (default: ${DEFAULT-VALUE}).")
    String grow;

    @Option(names = "--criterion", defaultValue = "greedy", paramLabel = "greedy|teacher-forced",
            description = "With --progressive: a stage passes when greedy decoding is exact, or teacher-forced accuracy >= 0.99"
                    + " (default: ${DEFAULT-VALUE}).")
    String criterion;

    @Option(names = "--subspace", paramLabel = "k[:random|embeddings|identity]",
            description = {"Optimise the memory inside a fixed rank-k basis (memory = offset + z U, only z trainable):",
                    "random orthonormal (seeded by --seed; the default), the top-k principal directions of the token",
                    "embeddings, or the first k unit vectors. Recorded as settings.subspace."})
    String subspace;

    @Option(names = "--score-first-token", description = {"The memory also predicts the first token (the Progressive Cramming",
            "peer's indexing; the paper gives it). Recorded as settings.score_first_token; refused when the tokenizer adds BOS."})
    boolean scoreFirstToken;

    @Option(names = "--layers", paramLabel = "N",
            description = "Run only the first N decoder layers (final norm and head kept; recorded as settings.layers).")
    Integer layers;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Options.refuseUnless(spec, "--grow", progressive, "only with --progressive");
        Options.refuseUnless(spec, "--criterion", progressive, "only with --progressive");
        try (CausalLM loaded = options.model.load()) {
            CausalLM model = layers == null ? loaded : LayerView.truncated(loaded, layers);
            if (saveMemory != null) { // before cramming, not after it
                Path parent = saveMemory.toAbsolutePath().getParent();
                OutputFolder.requireWritable(parent, "--save-memory folder");
            }
            CramTask task = task(model);
            CramSettings settings = options.optim.settings().optScoreFirstToken(scoreFirstToken && firstTokenIsText())
                    .optInitLabel(initLabel).build();
            if (progressive && !Options.given(spec, "--steps") && !Options.given(spec, "--patience")) {
                // the paper has no progressive recipe: the peer's (Progressive Cramming) 1000 steps per stage
                settings = settings.toBuilder().optMaxSteps(PEER_STAGE_STEPS).optPatience(PEER_STAGE_STEPS).build();
            }
            if (subspace != null) {
                settings = settings.toBuilder().optSubspace(Subspace.Spec.parse(subspace).build(model, settings.seed())).build();
            }
            if (progressive) {
                ProgressiveRecord r;
                float[][] kept = new float[1][];
                int[] keptLength = {0};
                try (Progress progress = Progress.start("step", settings.maxSteps(), Progress.consoleSink(err))) {
                    RunListener shown = RunListener.showing(progress);
                    r = ProgressiveCrammer.builder(model).optSettings(settings)
                            .optPolicy(policy()).optCriterion(ProgressiveCrammer.Criterion.parse(criterion)).build()
                            .run(List.of(new ProgressiveCrammer.Task(task.textId(), task.textSource(), task.tokenIds(),
                                    task.nMem(), task.seedOr(settings), task.initMemory())), new ProgressiveCrammer.Listener() {
                                        @Override
                                        public void onStep(RunListener.Step step) {
                                            shown.onStep(step);
                                        }

                                        @Override
                                        public void onStage(ProgressiveCrammer.Task t, ProgressiveRecord.Stage stage,
                                                float[] best) {
                                            // keep the longest passed stage's memory; until one passes, the latest
                                            if (stage.passed() ? stage.length() >= keptLength[0] : keptLength[0] <= 0) {
                                                kept[0] = best;
                                                keptLength[0] = stage.passed() ? stage.length() : 0;
                                            }
                                        }
                                    }).get(0);
                }
                out.println(json ? r.toJson() : progressiveSummary(r));
                if (saveMemory != null && kept[0] != null) {
                    Memory.save(saveMemory, kept[0], r.nMem(), model.info().hiddenSize(), Map.of("model_id", r.modelId(),
                            "n_mem", String.valueOf(r.nMem()), "length", String.valueOf(keptLength[0])));
                    if (!json) {
                        out.println("memory " + saveMemory + (keptLength[0] > 0 ? " (longest passed stage, "
                                + keptLength[0] + " tokens)" : " (no stage passed: the last stage's best)"));
                    }
                }
                out.flush();
                return 0;
            }
            CramResult result;
            try (Progress progress = Progress.start("step", settings.maxSteps(), Progress.consoleSink(err))) {
                result = new Crammer(model, settings).run(task, RunListener.showing(progress));
            }
            RunRecord record = result.record();
            if (saveMemory != null) {
                Memory.save(saveMemory, result.bestMemory(), task.nMem(), model.info().hiddenSize(), metadata(record));
                record = record.withMemoryFile(saveMemory.toString());
            }
            out.println(json ? record.toJson() : summary(record));
            out.flush();
            return 0;
        }
    }

    /** Fails when {@code --score-first-token} cannot apply: with BOS added, the first scored token is already text. */
    private boolean firstTokenIsText() {
        try (TextTokenizer tok = options.model.tokenizerIfAny()) {
            if (tok != null && tok.addsBos()) {
                throw new CramException("--score-first-token does not apply to " + options.model.directory() + ": its tokenizer adds BOS,"
                        + " so the first scored token is already the first text token (the paper's indexing)");
            }
        }
        return true;
    }

    /** Steps (and patience) per stage of {@code --progressive} when neither is given: the peer's budget. */
    static final int PEER_STAGE_STEPS = 1000;

    private StagePolicy policy() {
        if (grow.equalsIgnoreCase("double")) return StagePolicy.doubling(2);
        try {
            return StagePolicy.grow(2, Integer.parseInt(grow.strip()));
        } catch (NumberFormatException e) {
            throw new CramException("--grow must be a number of tokens or 'double', got '" + grow + "'");
        }
    }

    /** One line per stage, then the horizon. */
    static String progressiveSummary(ProgressiveRecord r) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "model %s  K=%d  %s, criterion %s%n", r.modelId(), r.nMem(),
                r.policy(), r.criterion()));
        s.append(String.format(Locale.ROOT, "%5s %6s %6s %8s %9s %8s %9s%n", "stage", "L", "steps", "accuracy", "loss", "passed",
                "+nats"));
        for (ProgressiveRecord.Stage st : r.stages()) {
            s.append(String.format(Locale.ROOT, "%5d %6d %6d %8.4f %9.4f %8s %9.2f%n", st.index(), st.length(), st.steps(),
                    st.bestAccuracy(), st.bestLoss(), st.passed() ? "yes" : "no", st.addedSurprisalNats()));
        }
        s.append(String.format(Locale.ROOT, "greedy horizon %s, %d encoded (%s), %s", Plural.of(r.horizon(), "token"),
                r.encodedTokens(), r.longestPassed() > 0 ? "longest passed stage L=" + r.longestPassed() : "no stage passed",
                Plural.of(r.totalSteps(), "optimisation step")));
        return s.toString();
    }

    private CramTask task(CausalLM model) {
        int d = model.info().hiddenSize();
        if (length != null && length < 1) {
            throw new CramException("--length must be >= 1, got " + length);
        }
        int max = length == null ? Integer.MAX_VALUE : length;
        int[] ids;
        String text = null;
        String source;
        String textId;
        if (input.ids != null) {
            ids = Arrays.copyOf(input.ids, Math.min(input.ids.length, max));
            source = TextSource.LITERAL.id();
            textId = "ids";
        } else {
            if (input.text != null && input.text.isBlank()) {
                throw new CramException("--text is empty: nothing to compress");
            }
            try (TextTokenizer tok = options.model.tokenizer()) {
                // a file is read and tokenised only as far as --length needs (streamed: a huge file is fine)
                TextFilePrefix file = input.text != null ? null : TextFilePrefix.read(input.textFile, tok, max, "--text-file");
                text = input.text != null ? input.text : file.text();
                if (text.isBlank()) {
                    throw new CramException((input.text != null ? "--text" : "--text-file " + input.textFile)
                            + " is empty: nothing to compress");
                }
                ids = file != null ? file.tokenIds() : tok.encode(text, true, max);
                text = tok.decode(ids, true); // the part actually compressed
            }
            source = (input.text != null ? TextSource.LITERAL : TextSource.FILE).id();
            textId = input.text != null ? "text" : input.textFile.getFileName().toString();
        }
        float[] initMemory = null;
        int k = mem == null ? 1 : mem;
        LearnedInit learned = init.learned(model, options.model.directory(), mem);
        if (learned != null) {
            k = learned.k();
            initMemory = learned.startFor(model, ids);
            initLabel = learned.label();
        } else if (!init.isRandom()) {
            Path file = Path.of(init.init);
            Memory.Loaded loaded = Memory.read(file);
            if (mem == null) {
                k = loaded.k();
            }
            initMemory = Memory.load(file, k, d);
        }
        return new CramTask(textId, source, text, ids, k, initMemory);
    }

    private static Map<String, String> metadata(RunRecord r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("run_id", r.runId());
        m.put("model_id", r.settings().modelId());
        m.put("length", String.valueOf(r.text().length()));
        m.put("n_mem", String.valueOf(r.settings().nMem()));
        m.put("best_accuracy", String.valueOf(r.metrics().bestAccuracy()));
        return m;
    }

    /** A readable multi-line summary of a record. */
    static String summary(RunRecord r) {
        RunRecord.Metrics m = r.metrics();
        RunRecord.Trajectory t = r.trajectory();
        int length = r.text().length();
        List<String> lines = List.of(
                String.format(Locale.ROOT, "model %s  K=%d  L=%d  steps=%d  stop=%s  %.1fs",
                        r.settings().modelId(), r.settings().nMem(), length, t.steps(), t.stopReason(), t.wallTimeSeconds()),
                String.format(Locale.ROOT, "accuracy  original %.4f  best %.4f   (token gain %.1f)",
                        m.originalAccuracy(), m.bestAccuracy(), m.tokenGain()),
                String.format(Locale.ROOT, "loss      original %.4f  best %.4f nats/token", m.originalLoss(), m.bestLoss()),
                String.format(Locale.ROOT, "text CE   original %.1f  best %.1f nats  (information gain %.1f nats = %.1f bits)",
                        m.originalCeNats(), m.bestCeNats(), m.informationGainNats(), m.informationGainBits()),
                m.greedyPrefixLength() < 0
                        ? "greedy    not checked"
                        : String.format(Locale.ROOT, "greedy    exact %s  correct prefix %d/%d  token accuracy %.4f",
                                m.greedyExactMatch() ? "yes" : "no", m.greedyPrefixLength(),
                                length - (Boolean.TRUE.equals(r.settings().optimiser().get("score_first_token")) ? 0 : 1),
                                m.greedyTokenAccuracy()),
                String.format(Locale.ROOT, "compression %.1f tokens/vector%s", r.compressionRatio(),
                        r.memoryFile() == null ? "" : "  memory " + r.memoryFile()));
        return String.join(System.lineSeparator(), lines);
    }
}
