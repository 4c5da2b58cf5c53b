package org.cramlab.effects;

import static tech.tablesaw.aggregate.AggregateFunctions.count;
import static tech.tablesaw.aggregate.AggregateFunctions.max;
import static tech.tablesaw.aggregate.AggregateFunctions.mean;
import static tech.tablesaw.aggregate.AggregateFunctions.min;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.cramlab.checkpoint.ModelDirectory;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.Evaluator;
import org.cramlab.cram.Greedy;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.StagePolicy;
import org.cramlab.cram.Subspace;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LayerView;
import org.cramlab.model.Models;
import org.cramlab.text.ShortStories;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What a crammed memory does to the model (Progressive Cramming's questions, issue 25), on one model:
 * <ul>
 *   <li><b>capacity vs rank k</b>: the memory optimised inside a fixed rank-k basis ({@link Subspace});
 *   <li><b>capacity vs layers N</b>: the model cut to its first N decoder layers ({@link LayerView#truncated});
 *   <li><b>knockout</b>: how well a solved memory still reconstructs its text when text positions may not
 *       attend to it from layer l on ({@link LayerView#knockout}), for every l;
 *   <li><b>harm</b>: the cross-entropy of other texts with a solved memory prepended, against a random
 *       vector of the same norm, the mean token embedding, and nothing; and, under the same prefixes, a
 *       multiple-choice probe built from those texts' own continuations ({@link ChoiceProbe}).
 * </ul>
 * Capacity here is the peer's <b>greedy horizon</b>: each text is crammed progressively (stages growing by
 * one token from 2, each warm-started from the last, greedy criterion), and its horizon is the longest
 * prefix greedy decoding from the memory reproduces. Texts are cramlab's held-out short stories
 * ({@link ShortStories}), truncated to {@link Setup#maxLength}. Solved memories for knockout and harm are
 * the full model's memories at each text's longest passed stage.
 */
public final class MemoryEffects {

    /**
     * How big the measurement is.
     *
     * @param texts stories crammed per configuration
     * @param maxLength tokens per story (the longest stage)
     * @param nMem K
     * @param stageSteps step budget (and patience) per stage
     * @param lr AdamW learning rate (0.1: the peer's; the paper's 0.01 grows horizons more slowly per step)
     * @param seed memory-init and random-basis seed
     * @param ranksOfD ranks k as fractions d / n (e.g. 16 gives k = d / 16); d itself is always included
     * @param harmTexts other stories scored in the harm experiment
     * @param harmLength tokens of each such story
     */
    public record Setup(int texts, int maxLength, int nMem, int stageSteps, double lr, long seed, List<Integer> ranksOfD,
            int harmTexts, int harmLength) {

        /** A minute or two on a laptop CPU for the default model (or stories260K). */
        public static Setup smoke() {
            return new Setup(2, 24, 1, 100, 0.1, 0, List.of(16, 8, 4, 2), 3, 48);
        }

        /** The tables in docs/memory-effects.md (stories260K: k = 4, 8, 16, 32, 64). */
        public static Setup full() {
            return new Setup(4, 96, 1, 500, 0.1, 0, List.of(16, 8, 4, 2), 6, 96);
        }

        /** The setup for a profile name: {@link #full()} for {@code paper}, {@link #smoke()} otherwise. */
        public static Setup named(String profile) {
            return "paper".equals(profile) ? full() : smoke();
        }

        /** Ranks for width d: d / n for each n of {@link #ranksOfD} (at least 1), then d. */
        public List<Integer> ranks(int d) {
            List<Integer> ks = new ArrayList<>();
            for (int n : ranksOfD) {
                int k = Math.max(1, d / n);
                if (!ks.contains(k) && k < d) ks.add(k);
            }
            ks.add(d);
            return ks;
        }
    }

    /** One story's ids. */
    public record Text(String id, int[] tokenIds) {}

    /** A text's memory at its longest passed stage: the first {@code length} tokens decode from it. */
    public record Solved(String textId, int[] tokenIds, float[] memory, int nMem) {}

    /** One configuration's progressive runs: per-text horizons and (for the full model) the solved memories. */
    public record Horizons(List<ProgressiveRecord> records, List<Solved> solved) {}

    private final Setup setup;
    private final Consumer<String> log;

    /**
     * @param setup sizes
     * @param log one line per finished configuration (e.g. {@code System.out::println}); may be null
     */
    public MemoryEffects(Setup setup, Consumer<String> log) {
        this.setup = setup;
        this.log = log == null ? s -> {} : log;
    }

    /** The first {@code count} stories (from {@code from}) tokenised with the model directory's tokenizer. */
    public static List<Text> stories(Path modelDir, int from, int count, int maxLength) {
        List<String> all = ShortStories.all();
        List<Text> out = new ArrayList<>();
        try (TextTokenizer tok = new ModelDirectory(modelDir).tokenizer()) {
            for (int i = from; i < Math.min(all.size(), from + count); i++) {
                out.add(new Text("story:" + i, tok.encode(all.get(i), true, maxLength)));
            }
        }
        return out;
    }

    /** The stories crammed (0 .. texts-1). */
    public List<Text> texts(Path modelDir) {
        return stories(modelDir, 0, setup.texts(), setup.maxLength());
    }

    /** Held-out stories for the harm experiment (after the crammed ones). */
    public List<Text> otherTexts(Path modelDir) {
        return stories(modelDir, setup.texts(), setup.harmTexts(), setup.harmLength());
    }

    /** The per-stage settings, optionally inside {@code subspace}. */
    CramSettings settings(Subspace subspace) {
        return CramSettings.builder().optLr(setup.lr()).optMaxSteps(setup.stageSteps()).optPatience(setup.stageSteps())
                .optSeed(setup.seed()).optBatchSize(Math.max(1, setup.texts())).optSubspace(subspace).build();
    }

    /** Progressive cramming of every text on {@code model} (a model or a {@link LayerView}), optionally in a subspace. */
    public Horizons horizons(CausalLM model, List<Text> texts, Subspace subspace) {
        Map<String, Solved> best = new LinkedHashMap<>();
        List<ProgressiveCrammer.Task> tasks = texts.stream()
                .map(t -> new ProgressiveCrammer.Task(t.id(), "story", t.tokenIds(), setup.nMem(), setup.seed())).toList();
        List<ProgressiveRecord> records = ProgressiveCrammer.builder(model).optSettings(settings(subspace))
                .optPolicy(StagePolicy.grow(2, 1)).optCriterion(ProgressiveCrammer.Criterion.GREEDY).build()
                .run(tasks, new ProgressiveCrammer.Listener() {
                    @Override
                    public void onStage(ProgressiveCrammer.Task task, ProgressiveRecord.Stage stage, float[] memory) {
                        Solved s = best.get(task.textId());
                        if (stage.passed() && (s == null || s.tokenIds().length < stage.length())) {
                            best.put(task.textId(), new Solved(task.textId(),
                                    Arrays.copyOf(task.tokenIds(), stage.length()), memory.clone(), task.nMem()));
                        }
                    }
                });
        return new Horizons(records, List.copyOf(best.values()));
    }

    /** Mean horizon of a configuration's records. */
    static double meanHorizon(List<ProgressiveRecord> records) {
        return records.stream().mapToInt(ProgressiveRecord::horizon).average().orElse(Double.NaN);
    }

    /**
     * Horizons with the memory inside a random rank-k basis for every k of {@link Setup#ranks}, plus the
     * plain memory (basis "none", rank d): model_id, basis, rank, text_id, horizon, steps.
     */
    public Table capacityVsRank(CausalLM model, List<Text> texts, Subspace.Kind kind, Horizons plain) {
        Table t = horizonTable("capacity vs subspace rank", "rank");
        int d = model.info().hiddenSize();
        append(t, model, "none", d, plain.records());
        for (int k : setup.ranks(d)) {
            Subspace u = new Subspace.Spec(k, kind).build(model, setup.seed());
            append(t, model, u.kind(), k, horizons(model, texts, u).records());
        }
        return t;
    }

    /**
     * Horizons on the model cut to its first N layers, N = 1..all (N = all: {@code whole}, the model's own
     * runs, which a whole-model view reproduces bit for bit): model_id, basis ("none"), layers, text_id,
     * horizon, steps.
     */
    public Table capacityVsLayers(CausalLM model, List<Text> texts, Horizons whole) {
        Table t = horizonTable("capacity vs layers", "layers");
        int all = LayerView.layersOf(model);
        for (int n = 1; n < all; n++) {
            append(t, model, "none", n, horizons(LayerView.truncated(model, n), texts, null).records());
        }
        append(t, model, "none", all, whole.records());
        return t;
    }

    /** The four tables of one model (or of several, {@link #concat}). */
    public record Result(Table rank, Table layers, Table knockout, Table harm) {

        /** The results of several models, rows appended in order; null for none. */
        public static Result concat(List<Result> results) {
            Result all = null;
            for (Result r : results) {
                all = all == null ? r : new Result(all.rank.append(r.rank), all.layers.append(r.layers),
                        all.knockout.append(r.knockout), all.harm.append(r.harm));
            }
            return all;
        }
    }

    /** Everything for the model in {@code modelDir}: the plain runs once, then ranks, layers, knockout and harm. */
    public Result run(Path modelDir, Subspace.Kind kind) {
        try (CausalLM model = Models.load(modelDir)) {
            List<Text> texts = texts(modelDir);
            Horizons plain = horizons(model, texts, null);
            Table rank = capacityVsRank(model, texts, kind, plain);
            Table layers = capacityVsLayers(model, texts, plain);
            return new Result(rank, layers, knockout(model, plain.solved()),
                    harm(model, plain.solved(), otherTexts(modelDir), setup.seed()));
        }
    }

    /** Mean, min and max horizon per basis and {@code axis} value (rank or layers), and the texts. */
    public static Table horizonSummary(Table horizons) {
        String axis = horizons.column(2).name();
        return horizons.summarize("horizon", mean, min, max, count).by("model_id", "basis", axis);
    }

    /** Mean accuracy, loss and share of exact greedy decodes per first knocked-out layer. */
    public static Table knockoutSummary(Table knockout) {
        return knockout.summarize("accuracy", "loss", "greedy_exact", "greedy_prefix", mean).by("model_id", "from_layer");
    }

    /** Mean loss, accuracy and multiple-choice accuracy per prefix over all (memory, text) pairs. */
    public static Table harmSummary(Table harm) {
        return harm.summarize("loss", "accuracy", "choice_correct", mean).by("model_id", "prefix");
    }

    private static Table horizonTable(String name, String axis) {
        return Table.create(name, StringColumn.create("model_id"), StringColumn.create("basis"), IntColumn.create(axis),
                StringColumn.create("text_id"), IntColumn.create("horizon"), IntColumn.create("steps"));
    }

    private void append(Table t, CausalLM model, String basis, int x, List<ProgressiveRecord> records) {
        for (ProgressiveRecord r : records) {
            t.stringColumn(0).append(model.info().modelId());
            t.stringColumn(1).append(basis);
            t.intColumn(2).append(x);
            t.stringColumn(3).append(r.textId());
            t.intColumn(4).append(r.horizon());
            t.intColumn(5).append(r.totalSteps());
        }
        log.accept(String.format(java.util.Locale.ROOT, "%s %s=%d basis %s: mean horizon %.1f tokens", model.info().modelId(),
                t.column(2).name(), x, basis, meanHorizon(records)));
    }

    /**
     * Each solved memory with the memory's attention knocked out from layer l on, for l = 0..layers
     * (l = layers: nothing knocked out): model_id, text_id, length, from_layer, accuracy (teacher-forced),
     * loss (nats per target), greedy_prefix (targets right before the first greedy mistake), greedy_exact.
     */
    public static Table knockout(CausalLM model, List<Solved> solved) {
        StringColumn id = StringColumn.create("model_id"), text = StringColumn.create("text_id");
        IntColumn length = IntColumn.create("length"), from = IntColumn.create("from_layer"),
                prefix = IntColumn.create("greedy_prefix"), exact = IntColumn.create("greedy_exact");
        DoubleColumn acc = DoubleColumn.create("accuracy"), loss = DoubleColumn.create("loss");
        int all = LayerView.layersOf(model);
        for (int l = 0; l <= all; l++) {
            for (Solved s : solved) {
                Evaluator e = new Evaluator(LayerView.knockout(model, l, s.nMem()), 1);
                Evaluator.Item item = new Evaluator.Item(s.tokenIds(), s.memory(), s.nMem());
                Evaluator.Score score = e.score(List.of(item)).get(0);
                Greedy g = e.greedy(item);
                id.append(model.info().modelId());
                text.append(s.textId());
                length.append(s.tokenIds().length);
                from.append(l);
                acc.append(score.accuracy());
                loss.append(score.loss());
                prefix.append(g.prefixLength());
                exact.append(g.exactMatch() ? 1 : 0);
            }
        }
        return Table.create("attention knockout", id, text, length, from, acc, loss, prefix, exact);
    }

    /** What is prepended in the harm experiment. */
    public enum Prefix {
        NONE, CRAMMED, RANDOM_SAME_NORM, MEAN_EMBEDDING;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * Cross-entropy of each other text with each solved memory prepended, with a random vector of the
     * same norm (per memory row, seeded), with the mean token embedding (K copies), and with nothing:
     * model_id, memory_of (the solved memory's text; "-" for none), prefix, text_id, loss (nats per
     * target), accuracy; choice_correct: 1 when the multiple-choice probe ({@link ChoiceProbe}) picks this
     * text's own continuation under the same prefix, else 0 (NaN: fewer than 2 other texts), out of
     * {@code choices} options.
     */
    public static Table harm(CausalLM model, List<Solved> solved, List<Text> others, long seed) {
        StringColumn id = StringColumn.create("model_id"), of = StringColumn.create("memory_of"),
                prefix = StringColumn.create("prefix"), text = StringColumn.create("text_id");
        DoubleColumn loss = DoubleColumn.create("loss"), acc = DoubleColumn.create("accuracy"),
                choice = DoubleColumn.create("choice_correct");
        IntColumn choices = IntColumn.create("choices");
        Evaluator e = new Evaluator(model, 8);
        ChoiceProbe probe = ChoiceProbe.of(others.stream().map(Text::tokenIds).toList());
        List<Evaluator.Score> alone = e.scoreAlone(others.stream().map(Text::tokenIds).toList());
        double[] aloneChoice = probe.isEmpty() ? null : probe.answers(e, null, 0);
        for (int j = 0; j < others.size(); j++) {
            id.append(model.info().modelId());
            of.append("-");
            prefix.append(Prefix.NONE.label());
            text.append(others.get(j).id());
            loss.append(alone.get(j).loss());
            acc.append(alone.get(j).accuracy());
            choice.append(aloneChoice == null ? Double.NaN : aloneChoice[j]);
            choices.append(probe.choices());
        }
        float[] mean = meanEmbedding(model);
        Random rng = new Random(seed);
        int d = model.info().hiddenSize();
        for (Solved s : solved) {
            Map<Prefix, float[]> prefixes = new LinkedHashMap<>();
            prefixes.put(Prefix.CRAMMED, s.memory());
            prefixes.put(Prefix.RANDOM_SAME_NORM, sameNorm(s.memory(), d, rng));
            float[] means = new float[s.memory().length];
            for (int r = 0; r < s.nMem(); r++) System.arraycopy(mean, 0, means, r * d, d);
            prefixes.put(Prefix.MEAN_EMBEDDING, means);
            for (Map.Entry<Prefix, float[]> p : prefixes.entrySet()) {
                List<Evaluator.Item> items = others.stream()
                        .map(t -> new Evaluator.Item(t.tokenIds(), p.getValue(), s.nMem())).toList();
                List<Evaluator.Score> scores = e.score(items);
                double[] answers = probe.isEmpty() ? null : probe.answers(e, p.getValue(), s.nMem());
                for (int j = 0; j < others.size(); j++) {
                    id.append(model.info().modelId());
                    of.append(s.textId());
                    prefix.append(p.getKey().label());
                    text.append(others.get(j).id());
                    loss.append(scores.get(j).loss());
                    acc.append(scores.get(j).accuracy());
                    choice.append(answers == null ? Double.NaN : answers[j]);
                    choices.append(probe.choices());
                }
            }
        }
        return Table.create("downstream harm", id, of, prefix, text, loss, acc, choice, choices);
    }

    /** Random Gaussian directions scaled to each row's norm. */
    static float[] sameNorm(float[] memory, int d, Random rng) {
        float[] out = new float[memory.length];
        for (int r = 0; r < memory.length / d; r++) {
            double norm = 0, drawn = 0;
            for (int j = 0; j < d; j++) {
                norm += (double) memory[r * d + j] * memory[r * d + j];
                out[r * d + j] = (float) rng.nextGaussian();
                drawn += (double) out[r * d + j] * out[r * d + j];
            }
            double scale = Math.sqrt(norm / drawn);
            for (int j = 0; j < d; j++) out[r * d + j] *= (float) scale;
        }
        return out;
    }

    /** Mean of the input-embedding matrix's rows, float32 [d]. */
    static float[] meanEmbedding(CausalLM model) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray e = model.embeddingMatrix().toType(DataType.FLOAT32, true);
            e.attach(m);
            NDArray mean = e.mean(new int[] {0});
            mean.attach(m);
            return mean.toFloatArray();
        }
    }
}
