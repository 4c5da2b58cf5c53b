package org.cramlab.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.CramlabException;
import org.cramlab.core.Progress;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.Memory;
import org.cramlab.cram.RunListener;
import org.cramlab.cram.RunRecord;
import org.cramlab.init.LearnedInit;
import org.cramlab.init.TextFeature;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.model.TorchThreads;
import org.cramlab.run.Profile;
import org.cramlab.run.RecordStore;
import org.cramlab.run.RunFolder;
import org.cramlab.text.TextSample;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Notebook 11's experiment (issue 26): tokens crammed vs step budget per memory init. Per model and grid
 * length, the training windows ({@link InitBudgetTexts}) are crammed from random noise, the learned inits are
 * fitted on the solved ones, and every held-out window is crammed once from each init (random, mean,
 * neighbour, encoder) with the step cap; {@link BudgetCurves} reads every smaller budget off those runs.
 * Every run is appended to the run folder as it finishes (training runs with their memories, which the fit
 * reads back), so a rerun resumes. K = 1, the paper's AdamW, patience = cap (stop at exact or at the cap).
 *
 * @param modelDirs model directories
 * @param lengths grid for models other than TinyStories ones (the default model holds about 3 tokens)
 * @param storiesLengths grid for TinyStories models (stories260K holds about 12 tokens in 1000 steps)
 * @param trainTexts training windows per length (at most)
 * @param heldOutTexts held-out windows per length (at most)
 * @param cap step cap of every run (the largest budget)
 * @param batchSize runs optimised together
 * @param seed the random init's seed (the same noise for every text, as the paper's runs)
 * @param lambda the encoder's ridge
 */
public record InitBudget(List<String> modelDirs, List<Integer> lengths, List<Integer> storiesLengths, int trainTexts,
        int heldOutTexts, int cap, int batchSize, long seed, double lambda) {

    /** The starts compared, random (the paper's) first. */
    public static final List<String> INITS = List.of("random", "mean", "neighbour", "encoder");

    /**
     * Smoke: a few texts at short lengths and 100 steps (seconds); otherwise the measurement: 24 held-out
     * and 40 training texts per length, 1000 steps, grids 2..6 (default model) and 4..20 (stories260K).
     */
    public static InitBudget forProfile(Profile profile) {
        if (profile.name().equals("smoke")) {
            return new InitBudget(profile.modelDirs(), List.of(2, 3), List.of(4, 8), 6, 4, 100, 16,
                    profile.seed(), LearnedInit.DEFAULT_LAMBDA);
        }
        return new InitBudget(profile.modelDirs(), List.of(2, 3, 4, 6), List.of(4, 8, 12, 16, 20), 40, 24, 1000,
                96, profile.seed(), LearnedInit.DEFAULT_LAMBDA);
    }

    /** Adds {@code ../shared/models/<name>} where it exists (see {@link BitsExperiment#sharedModel}). */
    public InitBudget withSharedModel(String name) {
        return BitsExperiment.sharedModel(name).filter(p -> modelDirs.stream().noneMatch(m -> Path.of(m).getFileName()
                .equals(p.getFileName()))).map(p -> {
                    List<String> dirs = new ArrayList<>(modelDirs);
                    dirs.add(p.toString());
                    return new InitBudget(dirs, lengths, storiesLengths, trainTexts, heldOutTexts, cap, batchSize, seed, lambda);
                }).orElse(this);
    }

    /** The models' ids, in order. */
    public List<String> modelIds() {
        return modelDirs.stream().map(Profile::modelId).toList();
    }

    /** One line: models, grids, texts, cap. */
    public String describe() {
        return "models " + modelIds() + "; lengths " + lengths + " (TinyStories models " + storiesLengths + "); " + trainTexts
                + " training and " + heldOutTexts + " held-out texts per length at most; cap " + cap + " steps; K = 1";
    }

    /** The grid for a model directory. */
    public List<Integer> lengthsFor(String modelDir) {
        return BitsExperiment.storiesModel(modelDir) ? storiesLengths : lengths;
    }

    /**
     * What fitting cost at one model and length.
     *
     * @param modelId the model
     * @param length L (tokens)
     * @param trainTexts training windows crammed
     * @param solved of them exact within the cap (the fit's examples)
     * @param cramSeconds wall time of cramming them (summed over the sessions that did)
     * @param cramSteps updates spent on them
     * @param fitSeconds features and the three fits, this session
     */
    public record Cost(String modelId, int length, int trainTexts, int solved, double cramSeconds, long cramSteps,
            double fitSeconds) {}

    /**
     * The held-out runs and the fitting costs.
     *
     * @param outcomes every held-out run, per model, length and init
     * @param costs per model and length
     * @param computed runs this call computed (the rest were read back from the run folder)
     */
    public record Result(List<BudgetCurves.Outcome> outcomes, List<Cost> costs, int computed) {}

    /** Runs what is missing into the run folder {@code out} (resumable) and reads back the rest. */
    public Result run(Path out, Progress.Starter progress) {
        TorchThreads.configureFromEnvironment();
        List<BudgetCurves.Outcome> outcomes = new ArrayList<>();
        List<Cost> costs = new ArrayList<>();
        Session session;
        try (RunFolder folder = RunFolder.open(out)) {
            session = new Session(folder, progress);
            folder.writeParams(params());
            for (String dir : modelDirs) {
                try (CausalLM model = Models.load(Path.of(dir)); TextTokenizer tok = TextTokenizer.load(Path.of(dir))) {
                    List<Integer> grid = lengthsFor(dir);
                    String sha = LearnedInit.fingerprint(Path.of(dir));
                    InitBudgetTexts texts = InitBudgetTexts.of(tok, grid, trainTexts, heldOutTexts);
                    for (int length : grid) {
                        runLength(new At(model, Profile.modelId(dir), sha, length), texts, session, outcomes, costs);
                    }
                }
            }
        }
        System.out.println(session.computed + " runs computed, " + outcomes.size() + " held-out runs in all (" + modelDirs.size()
                + " models, cap " + cap + " steps) in " + out.toAbsolutePath().normalize());
        return new Result(outcomes, costs, session.computed);
    }

    /** One model at one length. */
    private record At(CausalLM model, String modelId, String modelSha, int length) {
        String runId(String init, TextSample t) {
            return modelId + ".L" + length + "." + init + "." + t.id().replaceAll("[^A-Za-z0-9_-]", "-");
        }
    }

    /** Where this run writes, and how many runs it computed (not read back). */
    private static final class Session {
        final RunFolder folder;
        final Progress.Starter progress;
        int computed;

        Session(RunFolder folder, Progress.Starter progress) {
            this.folder = folder;
            this.progress = progress;
        }
    }

    private void runLength(At at, InitBudgetTexts texts, Session session, List<BudgetCurves.Outcome> outcomes,
            List<Cost> costs) {
        RunFolder folder = session.folder;
        List<TextSample> train = texts.train(at.length());
        List<TextSample> heldOut = texts.heldOut(at.length());
        long t0 = System.nanoTime();
        int before = session.computed;
        Map<String, LearnedInit> fromNoise = new HashMap<>();
        fromNoise.put("train", null);
        List<RunRecord> trained = runMissing(at, fromNoise, train, session, true).get("train");
        String costKey = at.modelId() + ".L" + at.length();
        Path costFile = folder.root().resolve("fit-costs.jsonl");
        if (session.computed > before) { // this session crammed (some of) them: add its time to the earlier sessions'
            JsonlRows.append(costFile, List.of(Map.of("key", costKey, "cram_seconds", (System.nanoTime() - t0) / 1e9)));
        }
        double cramSeconds = JsonlRows.readBack(costFile).getOrDefault(costKey, List.of()).stream()
                .mapToDouble(r -> ((Number) r.get("cram_seconds")).doubleValue()).sum();
        long fitStart = System.nanoTime();
        List<float[]> features = new ArrayList<>();
        List<float[]> memories = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            RunRecord r = trained.get(i);
            if (BudgetCurves.stepsToExact(r.trajectory().accuracies()) < 0) continue;
            features.add(TextFeature.meanEmbedding(at.model(), train.get(i).tokenIds()));
            memories.add(Memory.read(folder.root().resolve(r.memoryFile())).values()); // only solved memories teach
        }
        Map<String, LearnedInit> inits = new LinkedHashMap<>();
        inits.put("random", null);
        if (!memories.isEmpty()) {
            for (String kind : INITS.subList(1, INITS.size())) {
                inits.put(kind, LearnedInit.fit(LearnedInit.Kind.parse(kind), at.modelSha(), at.modelId(), 1,
                        features, memories, lambda));
            }
        } else {
            System.out.println(at.modelId() + " L=" + at.length() + ": no training text solved, only random init runs");
        }
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        costs.add(new Cost(at.modelId(), at.length(), train.size(), memories.size(), cramSeconds,
                trained.stream().mapToLong(r -> r.trajectory().steps()).sum(), fitSeconds));
        runMissing(at, inits, heldOut, session, false).forEach((name, rs) -> {
            for (int i = 0; i < rs.size(); i++) outcomes.add(BudgetCurves.Outcome.of(name, heldOut.get(i).id(), rs.get(i)));
        });
    }

    /**
     * The records of {@code texts} from each start of {@code inits} (name to init, null: random), read back
     * or computed, all missing runs in one engine (small models: a wider batch costs little more per step)
     * and each appended at once, with its init recorded as {@code settings.init}.
     */
    private Map<String, List<RunRecord>> runMissing(At at, Map<String, LearnedInit> inits, List<TextSample> texts,
            Session session, boolean saveMemories) {
        RunFolder folder = session.folder;
        RecordStore store = folder.records();
        List<CramTask> missing = new ArrayList<>();
        Map<String, String> labels = new HashMap<>();
        inits.forEach((name, start) -> {
            for (TextSample t : texts) {
                String id = at.runId(name, t);
                if (store.get(id) != null) continue;
                float[] m = start == null ? null : start.memoryFor(TextFeature.meanEmbedding(at.model(), t.tokenIds()));
                missing.add(new CramTask(t.id(), t.source().id(), t.text(), t.tokenIds(), 1, m).withRunId(id));
                if (start != null) labels.put(id, start.label());
            }
        });
        if (!missing.isEmpty()) {
            CramSettings.Builder b = CramSettings.builder().optMaxSteps(cap).optPatience(cap).optSeed(seed)
                    .optBatchSize(batchSize).optGreedyCheck(true).optModelId(at.modelId());
            if (saveMemories) b.optMemoryDir(folder.memoryDir());
            String label = at.modelId() + " L=" + at.length() + " " + String.join("/", inits.keySet());
            try (Progress bar = session.progress.start(label, missing.size())) {
                new BatchedCrammer(at.model(), b.build()).run(missing, new RunListener() {
                    @Override
                    public void onStep(RunListener.Step s) {
                        bar.workingThrottled(s::line);
                    }

                    @Override
                    public void onFinished(CramResult r) {
                        folder.append(withInit(r.record(), labels.get(r.record().runId())));
                        bar.advance();
                    }
                });
            }
            session.computed += missing.size();
        }
        RecordStore now = folder.records();
        Map<String, List<RunRecord>> out = new LinkedHashMap<>();
        inits.keySet().forEach(name -> out.put(name, texts.stream().map(t -> now.get(at.runId(name, t))).toList()));
        return out;
    }

    /** The record with {@code label} as its settings.init (null: as the engine wrote it). */
    private static RunRecord withInit(RunRecord r, String label) {
        if (label == null) return r;
        Map<String, Object> settings = new LinkedHashMap<>(r.settings().optimiser());
        settings.put("init", label);
        return r.toBuilder().optimiser(settings).build();
    }

    /**
     * The cost of fitting beside what it saves, per model, length and learned init: training texts crammed
     * and solved, the seconds and steps that took, the seconds of the fit, the mean steps to exact saved per
     * held-out text against random init (runs never exact count as the cap), and how many texts a user must
     * cram before the saving repays the training steps.
     */
    public Table fitCosts(Result result) {
        StringColumn model = StringColumn.create("model_id"), init = StringColumn.create("init");
        IntColumn length = IntColumn.create("length"), train = IntColumn.create("train_texts"),
                solved = IntColumn.create("train_solved");
        LongColumn steps = LongColumn.create("cram_steps");
        DoubleColumn seconds = DoubleColumn.create("cram_seconds"), fit = DoubleColumn.create("fit_seconds"),
                saved = DoubleColumn.create("steps_saved_per_text"), repay = DoubleColumn.create("texts_to_repay");
        for (Cost c : result.costs()) {
            double random = meanCappedSteps(result.outcomes(), c, "random");
            for (String kind : INITS.subList(1, INITS.size())) {
                double mean = meanCappedSteps(result.outcomes(), c, kind);
                if (Double.isNaN(mean)) continue;
                model.append(c.modelId());
                length.append(c.length());
                init.append(kind);
                train.append(c.trainTexts());
                solved.append(c.solved());
                seconds.append(c.cramSeconds());
                steps.append(c.cramSteps());
                fit.append(c.fitSeconds());
                saved.append(random - mean);
                repay.append(random > mean ? c.cramSteps() / (random - mean) : Double.NaN);
            }
        }
        return Table.create("cost of fitting vs steps saved", model, length, init, train, solved, seconds, steps, fit, saved,
                repay);
    }

    private double meanCappedSteps(List<BudgetCurves.Outcome> outcomes, Cost at, String init) {
        return outcomes.stream().filter(o -> o.modelId().equals(at.modelId()) && o.length() == at.length()
                && o.init().equals(init)).mapToInt(o -> BudgetCurves.cappedSteps(o, cap)).average().orElse(Double.NaN);
    }

    /** Measures: {@code InitBudget smoke|paper OUT_DIR MODEL_DIR...}; prints the tables as markdown. */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: InitBudget smoke|paper OUT_DIR MODEL_DIR...");
            System.exit(2);
        }
        try {
            InitBudget exp = forProfile(Profile.named(args[0]).withModelDirs(List.of(args).subList(2, args.length)));
            Result r = exp.run(Path.of(args[1]), Progress.onConsole());
            System.out.println(BudgetCurves.markdown(BudgetCurves.steps(r.outcomes(), exp.cap())));
            System.out.println(BudgetCurves.markdown(BudgetCurves.curve(r.outcomes(), budgetsUpTo(exp.cap()))));
            System.out.println(BudgetCurves.markdown(exp.fitCosts(r)));
        } catch (CramlabException e) {
            System.err.println("InitBudget: " + e.getMessage()); // runs already finished stay in OUT_DIR
            System.exit(2);
        }
    }

    /** {@link BudgetCurves#BUDGETS} up to {@code cap}. */
    public static List<Integer> budgetsUpTo(int cap) {
        return BudgetCurves.BUDGETS.stream().filter(b -> b <= cap).toList();
    }

    private Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("experiment", "init-budget");
        p.put("models", modelDirs.stream().map(Profile::modelId).toList());
        p.put("lengths", lengths);
        p.put("stories_lengths", storiesLengths);
        p.put("train_texts", trainTexts);
        p.put("held_out_texts", heldOutTexts);
        p.put("cap", cap);
        p.put("seed", seed);
        p.put("lambda", lambda);
        return p;
    }
}
