package org.cramlab.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cramlab.capacity.CapacityRule;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.Memory;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunListener;
import org.cramlab.cram.RunRecord;
import org.cramlab.cram.StagePolicy;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.core.Progress;
import org.cramlab.report.Pca;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.Profile;
import org.cramlab.run.ProgressiveRunner;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;
import org.cramlab.run.StageProgress;
import org.cramlab.run.TextResolver;
import org.cramlab.run.Texts;

/**
 * Notebook 08's experiment: Progressive Cramming (Tarasov et al.) beside the paper's teacher-forced
 * protocol. Per model of the profile, its natural texts are crammed progressively (grow by one token
 * from 2, each stage warm-started, greedy criterion, the profile's step budget per stage, up to the
 * profile's longest grid length) and, for the teacher-forced vs greedy comparison, crammed from scratch
 * at the profile's grid lengths like the paper (records with horizon and decode margin). Both persist in
 * the run folder and resume.
 *
 * @param profile texts, lengths, budgets, batch size, seed
 * @param nMem K
 * @param maxLength no progressive stage and no paper-style run is longer (tokens)
 */
public record ProgressiveCramming(Profile profile, int nMem, int maxLength) {

    /**
     * K for the notebook: 4 in the smoke profile (one default-model vector holds only ~3 tokens, so K = 1
     * would show stages of 2-3 tokens), 1 otherwise (the paper's setting).
     */
    public static int defaultMem(Profile profile) {
        return profile.name().equals("smoke") ? 4 : 1;
    }

    /** The notebook's experiment: K = {@code nMem}; the smoke profile stops at 16 tokens (enough for K = 4). */
    public static ProgressiveCramming forProfile(Profile profile, int nMem) {
        return profile.name().equals("smoke") ? new ProgressiveCramming(profile, nMem, 16) : new ProgressiveCramming(profile, nMem);
    }

    /** Both halves of the experiment, read back where done. */
    public record Result(Map<String, List<ProgressiveRecord>> progressive, ExperimentRunner.Result scratch) {}

    /** Runs what is missing of both halves into the run folder {@code out} (resumable) and says what it did. */
    public Result run(Path out, Progress.Starter progress) {
        try (RunFolder folder = RunFolder.open(out)) {
            Map<String, List<ProgressiveRecord>> progressive = runProgressive(folder, progress);
            ExperimentRunner.Result scratch = scratchRunner(progress).run(scratchPlan(), folder);
            System.out.println("K = " + nMem + ", up to " + maxLength + " tokens; " + scratch.computed()
                    + " paper-style runs computed, " + scratch.reused() + " read back");
            return new Result(progressive, scratch);
        }
    }

    /** One line: the paper's teacher-forced capacity beside the mean greedy horizon. */
    public static String horizonSummary(Table horizons, int capacity) {
        return String.format(Locale.ROOT, "teacher-forced decoding capacity (paper's rule, from scratch): %d tokens;"
                + " mean greedy horizon %.1f tokens", capacity, horizons.intColumn("horizon").mean());
    }

    /**
     * How often teacher-forced "lossless" is not lossless, from {@link #teacherForcedVsGreedy}: runs at the
     * paper's threshold and at 0.9 that do not decode greedily, and exact decodes that survive bf16/fp16.
     */
    public static String exactnessSummary(Table tf) {
        BooleanColumn exact = tf.booleanColumn("greedy_exact");
        BooleanColumn lossless = tf.booleanColumn("tf_lossless");
        DoubleColumn acc = tf.doubleColumn("best_accuracy");
        return String.format(Locale.ROOT, "%d runs reach the paper's 'lossless' %.2f; %d of them do not decode greedily%n"
                        + "%d runs reach >= 0.9; %d of them do not decode greedily%n"
                        + "exact greedy decodes that survive rounding to bf16: %d of %d, to fp16: %d",
                lossless.countTrue(), org.cramlab.report.Aggregates.LOSSLESS,
                tf.where(lossless.isTrue().and(exact.isFalse())).rowCount(),
                tf.where(acc.isGreaterThanOrEqualTo(0.9)).rowCount(),
                tf.where(acc.isGreaterThanOrEqualTo(0.9).and(exact.isFalse())).rowCount(),
                tf.where(exact.isTrue().and(tf.booleanColumn("exact_bf16").isTrue())).rowCount(), exact.countTrue(),
                tf.where(exact.isTrue().and(tf.booleanColumn("exact_fp16").isTrue())).rowCount());
    }

    /** Up to the profile's longest grid length. */
    public ProgressiveCramming(Profile profile, int nMem) {
        this(profile, nMem, profile.lengths().stream().mapToInt(Integer::intValue).max().orElseThrow());
    }

    /** The paper-style from-scratch runs: natural texts x the profile's lengths up to {@code maxLength} at K. */
    public ExperimentPlan scratchPlan() {
        List<Integer> lengths = profile.lengths().stream().filter(l -> l <= maxLength).toList();
        return new ExperimentPlan("progressive-cramming-scratch", Plans.natural(profile, List.of(nMem), k -> lengths));
    }

    /** The runner for {@link #scratchPlan()}: the profile's runner, with the greedy check (exactness) on. */
    public ExperimentRunner scratchRunner(Progress.Starter progress) {
        return ExperimentRunner.builder().optTexts(Texts.forProfile(profile)).optBatchSize(profile.batchSize())
                .optParams(profile.toParams()).optGreedyCheck(true).optProgress(progress).build();
    }

    /** Progressive cramming of the plan's texts, per model id; stages persist in {@code folder} (resumable). */
    public Map<String, List<ProgressiveRecord>> runProgressive(RunFolder folder, Progress.Starter progress) {
        Map<String, List<ProgressiveRecord>> out = new LinkedHashMap<>();
        TextResolver texts = Texts.forProfile(profile);
        Map<String, List<RunSpec>> byModel = new LinkedHashMap<>();
        for (RunSpec s : scratchPlan().runs()) {
            List<RunSpec> l = byModel.computeIfAbsent(s.modelDir(), k -> new ArrayList<>());
            if (l.stream().noneMatch(x -> x.text().equals(s.text()))) l.add(s);
        }
        for (Map.Entry<String, List<RunSpec>> e : byModel.entrySet()) {
            Path dir = Path.of(e.getKey());
            try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir)) {
                List<ProgressiveCrammer.Task> tasks = new ArrayList<>();
                for (RunSpec s : e.getValue()) {
                    TextResolver.Resolved t = texts.resolve(s.text(), maxLength(), tok);
                    tasks.add(new ProgressiveCrammer.Task(s.text().id(), s.text().source().id(), t.tokenIds(), nMem, s.seed()));
                }
                CramSettings stage = CramSettings.builder().optMaxSteps(profile.maxSteps()).optPatience(profile.patience())
                        .optBatchSize(profile.batchSize()).optSeed(profile.seed()).build();
                ProgressiveCrammer crammer = ProgressiveCrammer.builder(model).optSettings(stage)
                        .optPolicy(StagePolicy.grow(2, 1)).build();
                String modelId = e.getValue().get(0).modelId();
                try (Progress bar = progress.start("progressive cramming " + modelId, tasks.size())) {
                    out.put(modelId, new ProgressiveRunner(crammer, modelId, model.info().hiddenSize()).run(tasks, folder,
                            new StageProgress(bar)));
                }
            }
        }
        return out;
    }

    /**
     * One row per text: model_id, text_id, horizon (greedy, tokens), longest_passed, stages, total_steps,
     * failed_at (the first failing stage's length; missing if the text ran out), accuracy_at_failure
     * (its best teacher-forced accuracy).
     */
    public static Table horizons(Map<String, List<ProgressiveRecord>> records) {
        StringColumn model = StringColumn.create("model_id"), text = StringColumn.create("text_id");
        IntColumn horizon = IntColumn.create("horizon"), longest = IntColumn.create("longest_passed"),
                stages = IntColumn.create("stages"), steps = IntColumn.create("total_steps"), failed = IntColumn.create("failed_at");
        DoubleColumn accFail = DoubleColumn.create("accuracy_at_failure");
        records.forEach((m, rs) -> rs.forEach(r -> {
            model.append(m);
            text.append(r.textId());
            horizon.append(r.horizon());
            longest.append(r.longestPassed());
            stages.append(r.stages().size());
            steps.append(r.totalSteps());
            ProgressiveRecord.Stage last = r.stages().isEmpty() ? null : r.stages().get(r.stages().size() - 1);
            if (last != null && !last.passed()) {
                failed.append(last.length());
                accFail.append(last.bestAccuracy());
            } else {
                failed.appendMissing();
                accFail.appendMissing();
            }
        }));
        return Table.create("greedy horizon per text", model, text, horizon, longest, stages, steps, failed, accFail);
    }

    /** One row per stage: model_id, text_id, stage, length, steps, added_surprisal_nats, passed, best_accuracy. */
    public static Table stages(Map<String, List<ProgressiveRecord>> records) {
        StringColumn model = StringColumn.create("model_id"), text = StringColumn.create("text_id");
        IntColumn stage = IntColumn.create("stage"), length = IntColumn.create("length"), steps = IntColumn.create("steps");
        DoubleColumn surprisal = DoubleColumn.create("added_surprisal_nats"), acc = DoubleColumn.create("best_accuracy");
        BooleanColumn passed = BooleanColumn.create("passed");
        records.forEach((m, rs) -> rs.forEach(r -> r.stages().forEach(s -> {
            model.append(m);
            text.append(r.textId());
            stage.append(s.index());
            length.append(s.length());
            steps.append(s.steps());
            surprisal.append(s.addedSurprisalNats());
            passed.append(s.passed());
            acc.append(s.bestAccuracy());
        })));
        return Table.create("stages", model, text, stage, length, steps, surprisal, passed, acc);
    }

    /**
     * Teacher-forced accuracy against exact greedy decoding, one row per from-scratch run: model_id, length,
     * best_accuracy, greedy_horizon, horizon_fraction (horizon / L), greedy_exact, decode_margin,
     * tf_lossless (best_accuracy >= 0.99, the paper's "lossless"), exact_bf16, exact_fp16.
     */
    public static Table teacherForcedVsGreedy(Collection<RunRecord> runs) {
        StringColumn model = StringColumn.create("model_id");
        IntColumn length = IntColumn.create("length"), horizon = IntColumn.create("greedy_horizon");
        DoubleColumn acc = DoubleColumn.create("best_accuracy"), frac = DoubleColumn.create("horizon_fraction"),
                margin = DoubleColumn.create("decode_margin");
        BooleanColumn exact = BooleanColumn.create("greedy_exact"), lossless = BooleanColumn.create("tf_lossless"),
                bf16 = BooleanColumn.create("exact_bf16"), fp16 = BooleanColumn.create("exact_fp16");
        for (RunRecord r : runs) {
            RunRecord.Metrics m = r.metrics();
            if (m.greedyHorizon() == null) continue; // not measured (greedy check off)
            model.append(r.settings().modelId());
            length.append(r.text().length());
            acc.append(m.bestAccuracy());
            horizon.append(m.greedyHorizon());
            frac.append((double) m.greedyHorizon() / r.text().length());
            exact.append(m.greedyExactMatch());
            margin.append(m.decodeMargin());
            lossless.append(m.bestAccuracy() >= CapacityRule.LOSSLESS);
            bf16.append(Boolean.TRUE.equals(m.greedyExactBf16()));
            fp16.append(Boolean.TRUE.equals(m.greedyExactFp16()));
        }
        return Table.create("teacher-forced vs greedy", model, length, acc, horizon, frac, exact, margin, lossless, bf16, fp16);
    }

    /**
     * The memory's path across each text's stages in the plane of its first two principal components:
     * model_id, text_id, stage, length, pc1, pc2, explained1, explained2 (the fractions of the path's
     * variance, same on every row of a text). Memories are read from the run folder.
     */
    public static Table trajectories(Path root, Map<String, List<ProgressiveRecord>> records) {
        StringColumn model = StringColumn.create("model_id"), text = StringColumn.create("text_id");
        IntColumn stage = IntColumn.create("stage"), length = IntColumn.create("length");
        DoubleColumn pc1 = DoubleColumn.create("pc1"), pc2 = DoubleColumn.create("pc2"),
                e1 = DoubleColumn.create("explained1"), e2 = DoubleColumn.create("explained2");
        records.forEach((m, rs) -> rs.forEach(r -> {
            List<ProgressiveRecord.Stage> st = r.stages().stream().filter(s -> s.memoryFile() != null).toList();
            if (st.size() < 2) return;
            float[][] points = new float[st.size()][];
            for (int i = 0; i < st.size(); i++) {
                Memory.Loaded mem = Memory.read(root.resolve(st.get(i).memoryFile()));
                points[i] = mem.values();
            }
            Pca p = Pca.of(points, 2);
            for (int i = 0; i < st.size(); i++) {
                model.append(m);
                text.append(r.textId());
                stage.append(st.get(i).index());
                length.append(st.get(i).length());
                pc1.append(p.scores()[i][0]);
                pc2.append(p.scores()[i][1]);
                e1.append(p.explained()[0]);
                e2.append(p.explained()[1]);
            }
        }));
        return Table.create("memory trajectory (PCA)", model, text, stage, length, pc1, pc2, e1, e2);
    }
}
