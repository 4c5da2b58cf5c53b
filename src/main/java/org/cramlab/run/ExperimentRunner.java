package org.cramlab.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Progress;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.cram.RunListener;
import org.cramlab.cram.RunRecord;
import org.cramlab.init.LearnedInit;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.model.TorchThreads;

/**
 * Runs the missing runs of a plan into a run folder: finished runs (read back from the folder's
 * records) are skipped, the rest go through the engine's {@link BatchedCrammer}, one batch per model
 * and optimiser setting, and each record is appended (fsync'ed) the moment its run finishes, together
 * with its best memory. Rerunning with the same folder computes nothing new; after a crash only the
 * runs in flight are recomputed.
 *
 * <pre>{@code
 * var runner = ExperimentRunner.builder().optTexts(texts).optBatchSize(16).build();
 * try (RunFolder folder = RunFolder.open(out)) {
 *     ExperimentRunner.Result r = runner.run(plan, folder);
 * }
 * }</pre>
 */
public final class ExperimentRunner {
    private final TextResolver texts;
    private final int batchSize;
    private final boolean exact;
    private final Function<Path, CausalLM> loader;
    private final Progress.Starter progress;
    private final Map<String, Object> params;
    private final boolean greedyCheck;
    private final LearnedInit init;

    private ExperimentRunner(Builder b) {
        this.texts = b.texts;
        this.batchSize = b.batchSize;
        this.exact = b.exact;
        this.loader = b.loader;
        this.progress = b.progress;
        this.params = b.params;
        this.greedyCheck = b.greedyCheck;
        this.init = b.init;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The runner the notebooks use: {@link Texts} for the profile's sources, its batch size, its parameters.
     * The smoke profile skips the per-run greedy reconstruction (one incremental decode per run, the
     * largest fixed cost of a short run on a CPU); notebook 01 shows it, the paper profile records it.
     */
    public static ExperimentRunner forProfile(Profile profile, Progress.Starter progress) {
        // a profile with batch size 1 ({@code CRAMLAB_EXACT=1}) runs in exact mode: runs alone, results schedule-independent
        return builder().optTexts(Texts.forProfile(profile)).optBatchSize(profile.batchSize()).optExact(profile.batchSize() == 1)
                .optParams(profile.toParams())
                .optGreedyCheck(!profile.name().equals("smoke")).optProgress(progress).build();
    }

    /**
     * What a call did.
     *
     * @param computed runs optimised by this call
     * @param reused runs of the plan already in the folder
     * @param store every record of the folder after the call
     * @param plan the plan
     */
    public record Result(int computed, int reused, RecordStore store, ExperimentPlan plan) {
        /** The plan's records, in plan order. */
        public List<RunRecord> records() {
            return store.of(plan);
        }
    }

    /** The learned init runs start from; null: the paper's random init. */
    public LearnedInit init() {
        return init;
    }

    /** Runs what is missing of {@code plan} in {@code folder}; writes params.json and plan.json. */
    public Result run(ExperimentPlan plan, RunFolder folder) {
        // Before anything starts the engine (params.json records the libtorch version): PyTorch reads its
        // thread count once, and two threads made steps many times slower on a busy machine.
        TorchThreads.configureFromEnvironment();
        if (exact) plan = plan.exact();
        RecordStore before = folder.records();
        List<RunSpec> missing = plan.missing(before.ids());
        int reused = plan.runs().size() - missing.size();
        Map<String, Object> p = new LinkedHashMap<>(params);
        p.put("experiment", plan.name());
        p.put("runs", plan.runs().size());
        p.put("runs_already_done", reused);
        p.put("models", plan.runs().stream().map(RunSpec::modelId).distinct().toList());
        folder.writeParams(p);
        folder.writePlan(plan);
        if (!missing.isEmpty()) {
            try (Progress bar = progress.start(plan.name(), missing.size())) {
                // one model load per directory, one engine per (model id, settings): settings are per batch in the engine
                missing.stream().collect(Collectors.groupingBy(RunSpec::modelDir, LinkedHashMap::new, Collectors.toList()))
                        .forEach((dir, runs) -> runModel(Path.of(dir), byEngine(runs), folder, bar));
            }
        }
        return new Result(missing.size(), reused, folder.records(), plan);
    }

    /**
     * Runs what is missing of {@code plan} in {@code folder} on {@code model}, the model a {@link #runJob} job was
     * given (no second load; params.json and plan.json stay the job's): plain runs that a job adds, e.g. the
     * grid runs of a staged capacity search's repair. Every run must be on that model.
     */
    public Result runOn(CausalLM model, ExperimentPlan plan, RunFolder folder) {
        if (exact) plan = plan.exact();
        List<RunSpec> missing = plan.missing(folder.records().ids());
        if (!missing.isEmpty()) {
            try (Progress bar = progress.start(plan.name(), missing.size());
                    TextTokenizer tokenizer = tokenizer(Path.of(missing.get(0).modelDir()))) {
                if (missing.stream().anyMatch(s -> !s.modelDir().equals(missing.get(0).modelDir()))) {
                    throw new ExperimentException("runs of '" + plan.name() + "' are on more than one model: runOn takes one");
                }
                runEngines(model, tokenizer, byEngine(missing), folder, bar);
            }
        }
        return new Result(missing.size(), plan.runs().size() - missing.size(), folder.records(), plan);
    }

    private static Map<Engine, List<RunSpec>> byEngine(List<RunSpec> runs) {
        return runs.stream().collect(Collectors.groupingBy(s -> new Engine(s.modelId(), s.settings(), s.isExact()),
                LinkedHashMap::new, Collectors.toList()));
    }

    /** Work that is not a plan of independent runs (a staged capacity search), given the loaded model. */
    public interface ModelJob<T> {
        /**
         * @param model the model, loaded by this runner's loader (closed after the call)
         * @param texts resolves a text to its first {@code length} token ids through this runner's text sources
         * @param batchSize this runner's batch size
         * @param progress this runner's progress display
         */
        T run(CausalLM model, java.util.function.BiFunction<TextSpec, Integer, int[]> texts, int batchSize, Progress.Starter progress);
    }

    /**
     * Runs {@code job} on the model in {@code dir} (this runner's loader, texts, batch size and progress),
     * after writing params.json with {@code experiment} and this runner's parameters; the job persists its
     * own units of work in {@code folder}.
     */
    public <T> T runJob(String experiment, Path dir, RunFolder folder, ModelJob<T> job) {
        TorchThreads.configureFromEnvironment(); // as run(): before the engine starts
        Map<String, Object> p = new LinkedHashMap<>(params);
        p.put("experiment", experiment);
        folder.writeParams(p);
        try (CausalLM model = loader.apply(dir); TextTokenizer tokenizer = tokenizer(dir)) {
            return job.run(model, (spec, length) -> texts.resolve(spec, length, tokenizer).tokenIds(), batchSize, progress);
        }
    }

    /** What one engine instance fixes: the model's name in the records, the optimiser settings, exact mode (B = 1). */
    private record Engine(String modelId, OptimiserSettings settings, boolean exact) {}

    private void runModel(Path dir, Map<Engine, List<RunSpec>> byEngine, RunFolder folder, Progress bar) {
        try (CausalLM model = loader.apply(dir); TextTokenizer tokenizer = tokenizer(dir)) {
            runEngines(model, tokenizer, byEngine, folder, bar);
        }
    }

    private void runEngines(CausalLM model, TextTokenizer tokenizer, Map<Engine, List<RunSpec>> byEngine, RunFolder folder,
            Progress bar) {
        for (Map.Entry<Engine, List<RunSpec>> e : byEngine.entrySet()) {
            List<CramTask> tasks = new ArrayList<>();
            for (RunSpec s : e.getValue()) {
                TextResolver.Resolved t = texts.resolve(s.text(), s.length(), tokenizer);
                if (t.tokenIds().length != s.length()) {
                    throw new ExperimentException("text " + s.text().id() + " gives " + t.tokenIds().length
                            + " tokens, run " + s.runId() + " needs L = " + s.length());
                }
                // the plan's run id travels with the task: the engine records it as is
                float[] start = init == null ? null : init.startFor(model, t.tokenIds()); // null: the seeded noise
                tasks.add(new CramTask(s.text().id(), s.text().source().id(), t.text(), t.tokenIds(), s.nMem(), start)
                        .withSeed(s.seed()).withRunId(s.runId()));
            }
            CramSettings settings = CramSettings.builder().optOptimiser(e.getKey().settings())
                    .optBatchSize(e.getKey().exact() ? 1 : batchSize)
                    .optGreedyCheck(greedyCheck).optModelId(e.getKey().modelId()).optMemoryDir(folder.memoryDir())
                    .optInitLabel(init == null ? null : init.label()).build();
            new BatchedCrammer(model, settings).run(tasks, new Listener(folder, bar));
        }
    }

    private static TextTokenizer tokenizer(Path dir) {
        return Files.isRegularFile(dir.resolve("tokenizer.json")) ? TextTokenizer.load(dir) : null;
    }

    /** Appends each finished run at once and keeps the progress display current (at most 4 updates/s). */
    private static final class Listener implements RunListener {
        private final RunFolder folder;
        private final Progress bar;

        Listener(RunFolder folder, Progress bar) {
            this.folder = folder;
            this.bar = bar;
        }

        @Override
        public void onStep(RunListener.Step progress) {
            bar.workingThrottled(progress::line);
        }

        @Override
        public void onFinished(CramResult result) {
            folder.append(result.record()); // the memory is already saved, under the run id
            bar.advance();
        }
    }

    /** Options; {@link #optTexts} is required. */
    public static final class Builder {
        private TextResolver texts;
        private int batchSize = CramSettings.paper().batchSize();
        private boolean exact;
        private Function<Path, CausalLM> loader = Models::load;
        private Progress.Starter progress = Progress.onConsole();
        private Map<String, Object> params = Map.of();
        private boolean greedyCheck = true;
        private LearnedInit init;

        private Builder() {}

        /**
         * Start every run from this learned init's start for its text instead of the seeded noise (recorded as
         * settings.init; default null: the paper's random init). Run ids do not include it: keep such runs in a
         * folder of their own.
         */
        public Builder optInit(LearnedInit init) {
            this.init = init;
            return this;
        }

        /** Decode each run's best memory greedily and record the match (default true). */
        public Builder optGreedyCheck(boolean greedyCheck) {
            this.greedyCheck = greedyCheck;
            return this;
        }

        /** How text specs become token ids (required). */
        public Builder optTexts(TextResolver texts) {
            this.texts = texts;
            return this;
        }

        /**
         * Exact mode: every plan run by this runner is run as {@link ExperimentPlan#exact()}, each run optimised
         * alone, so its result is the same bit for bit however the work is interrupted, resumed or split (default
         * false: batched, faster, results within float rounding of each other).
         */
        public Builder optExact(boolean exact) {
            this.exact = exact;
            return this;
        }

        /** Runs optimised together (default: the engine's, {@link CramSettings#batchSize()}). */
        public Builder optBatchSize(int batchSize) {
            if (batchSize < 1) throw new ExperimentException("batch size must be >= 1, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** How a model directory is loaded (default {@link Models#load(Path)}). */
        public Builder optModelLoader(Function<Path, CausalLM> loader) {
            this.loader = loader;
            return this;
        }

        /** Where progress is shown (default: one updating line on stderr). */
        public Builder optProgress(Progress.Starter progress) {
            this.progress = progress;
            return this;
        }

        /** Extra parameters for params.json (e.g. {@link Profile#toParams()}). */
        public Builder optParams(Map<String, ?> params) {
            this.params = Map.copyOf(params);
            return this;
        }

        public ExperimentRunner build() {
            if (texts == null) throw new ExperimentException("ExperimentRunner needs optTexts(...): how to get each run's text");
            return new ExperimentRunner(this);
        }
    }
}
