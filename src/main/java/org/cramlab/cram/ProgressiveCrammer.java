package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.cramlab.model.CausalLM;

/**
 * Progressive cramming (Tarasov et al., ICML 2026) and its relatives: each text is crammed in stages
 * of growing prefix length chosen by a {@link StagePolicy} (grow by N tokens, doubling, doubling then
 * bisection, a grid), every stage warm-started from the best memory of the text's longest passed
 * stage shorter than it (its tokens are a prefix of this stage's), each stage with its own step budget
 * (the settings' {@code maxSteps} and {@code patience}).
 *
 * <p>A stage passes when its criterion holds for the stage's best memory: {@code greedy} (default):
 * greedy decoding from the memory alone reproduces the stage's tokens exactly; {@code teacher-forced}:
 * best teacher-forced accuracy {@literal >=} a threshold (default 0.99, the paper's "lossless"). A stage
 * stops as soon as it reaches that accuracy (1.0 for greedy), and a warm start that already passes
 * costs one forward and no update ("measure, then decide").
 *
 * <p>AdamW moments are <b>reset</b> at every stage (each stage is a fresh {@link Run} with its own
 * {@link AdamW}): the loss changed (new targets, a longer sequence), so the old second moments
 * mis-scale the first updates, and a restarted bias correction makes the first update a bounded,
 * sign-like step of size lr, which is what a memory that is already nearly right needs. The price is
 * that a stage's first few updates do not reuse the previous curvature estimate.
 *
 * <p>Batched exactly like {@link BatchedCrammer} (it is the same engine): each text holds one batch
 * slot with its own memory, optimiser and stage; when a stage ends, the text's next stage takes the
 * slot, and a finished text's slot goes to the next text in the queue.
 */
public final class ProgressiveCrammer {

    /** When a stage passes. */
    public enum Criterion {
        /** Greedy decoding from the best memory reproduces every token of the stage. */
        GREEDY,
        /** Best teacher-forced accuracy >= the threshold. */
        TEACHER_FORCED;

        /** {@code greedy} or {@code teacher-forced}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Parses {@link #label()} (case-insensitive; '_' or '-'). */
        public static Criterion parse(String s) {
            for (Criterion c : values()) {
                if (c.label().equalsIgnoreCase(s.replace('_', '-'))) return c;
            }
            throw new CramException("criterion must be greedy or teacher-forced, got '" + s + "'");
        }
    }

    /**
     * One text to cram in stages.
     *
     * @param textId id of the text
     * @param textSource its source
     * @param tokenIds the whole text's ids; no stage is longer (nor longer than the model allows)
     * @param nMem K
     * @param seed seed of the first stage's random memory
     * @param done stages already run (a resumed text); empty for a new one
     * @param memories best memories of {@code done}'s passed stages by length (row-major [K, d]); only the
     *     one the next stage starts from is needed. Key 0: the memory a stage with no passed stage before it
     *     starts from (a given init, {@code cram --progressive --init}); absent: random from {@code seed}
     */
    public record Task(String textId, String textSource, int[] tokenIds, int nMem, long seed,
            List<ProgressiveRecord.Stage> done, Map<Integer, float[]> memories) {

        /** A new text, no stage run yet. */
        public Task(String textId, String textSource, int[] tokenIds, int nMem, long seed) {
            this(textId, textSource, tokenIds, nMem, seed, List.of(), Map.of());
        }

        /** A new text whose first stage starts from {@code init} [K, d] (null: random from {@code seed}). */
        public Task(String textId, String textSource, int[] tokenIds, int nMem, long seed, float[] init) {
            this(textId, textSource, tokenIds, nMem, seed, List.of(), init == null ? Map.of() : Map.of(0, init));
        }
    }

    /** Step callbacks (from the engine) plus one call per finished stage and per finished text. */
    public interface Listener extends RunListener {
        /** A stage ended; {@code bestMemory} [K, d] is the stage's best memory (save it to resume from it). */
        default void onStage(Task task, ProgressiveRecord.Stage stage, float[] bestMemory) {}

        /** A text is done (no further stage). */
        default void onText(ProgressiveRecord record) {}
    }

    private final CausalLM model;
    private final CramSettings settings;
    private final StagePolicy policy;
    private final Criterion criterion;
    private final double threshold;
    private final boolean restart;

    private ProgressiveCrammer(Builder b) {
        this.model = b.model;
        this.policy = b.policy;
        this.criterion = b.criterion;
        this.threshold = b.threshold;
        this.restart = b.restart;
        // greedy: stop at teacher-forced 1.0, then decode; teacher-forced: stop at the threshold
        this.settings = b.settings.toBuilder().optGreedyCheck(true)
                .optSolvedAccuracy(criterion == Criterion.GREEDY ? 1.0 : threshold).optMemoryDir(null).build();
    }

    public static Builder builder(CausalLM model) {
        return new Builder(model);
    }

    /** The schedule. */
    public StagePolicy policy() {
        return policy;
    }

    /** What determines a text's stages besides the text: schedule, criterion and per-stage settings. */
    public Map<String, Object> describe() {
        Map<String, Object> m = RecordBuilder.withLayers(model, new LinkedHashMap<>(settings.asMap()));
        m.put("policy", policy.name());
        m.put("policy_params", policy.toString());
        m.put("criterion", criterion.label());
        m.put("threshold", threshold);
        m.put("restart_on_failure", restart);
        return m;
    }

    /** Crams every text in stages; results in task order. */
    public List<ProgressiveRecord> run(List<Task> tasks, Listener listener) {
        int maxPositions = model.info().maxPositions();
        List<TextState> states = new ArrayList<>();
        for (Task t : tasks) {
            if (t.tokenIds().length < 2) {
                throw new CramException("text '" + t.textId() + "' has " + t.tokenIds().length
                        + " token(s); progressive cramming needs at least 2");
            }
            int max = Math.min(t.tokenIds().length, maxPositions - t.nMem());
            states.add(new TextState(t, Arrays.copyOf(t.tokenIds(), max)));
        }
        surprisals(states);
        ProgressiveRecord[] results = new ProgressiveRecord[states.size()];
        Deque<CramTask> queue = new ArrayDeque<>();
        Map<CramTask, TextState> owner = new IdentityHashMap<>();
        Deque<TextState> waiting = new ArrayDeque<>(states);
        BatchedCrammer engine = new BatchedCrammer(model, settings);
        engine.run(new BatchedCrammer.Feed() {
            @Override
            public CramTask poll() {
                while (queue.isEmpty() && !waiting.isEmpty()) {
                    advance(waiting.poll());
                }
                return queue.poll();
            }

            /** Queues the text's next stage, or finishes the text. */
            private void advance(TextState s) {
                ProgressiveRecord.Stage last = s.history.isEmpty() ? null : s.history.get(s.history.size() - 1);
                if (restart && last != null && !last.passed() && last.warmFrom() > 0) {
                    // the warm start may sit in a poor basin: one more try at this length from a random memory
                    CramTask retry = s.stageTask(last.length(), true);
                    owner.put(retry, s);
                    queue.addFirst(retry);
                    return;
                }
                OptionalInt next = policy.next(s.history, s.tokens.length);
                if (next.isEmpty()) {
                    results[states.indexOf(s)] = s.record();
                    listener.onText(results[states.indexOf(s)]);
                    return;
                }
                CramTask stage = s.stageTask(next.getAsInt(), false);
                owner.put(stage, s);
                queue.addFirst(stage); // the text keeps its batch slot
            }

            @Override
            public void finished(CramResult result, CramTask task) {
                TextState s = owner.remove(task);
                ProgressiveRecord.Stage stage = s.stageOf(result, task);
                s.history.add(stage);
                s.memories.put(stage.length(), result.bestMemory());
                listener.onStage(s.task, stage, result.bestMemory());
                advance(s);
            }
        }, listener);
        return Arrays.asList(results);
    }

    /** Per-position surprisal (nats) of each text without memory: one forward per text. */
    private void surprisals(List<TextState> states) {
        for (TextState s : states) {
            try (NDManager scope = model.manager().newSubManager()) {
                Batch batch = Batch.build(model, null, List.of(s.tokens), scope);
                NDArray nll = batch.nll(model.forward(batch.embeds(), batch.mask()));
                s.nll = nll.toFloatArray();
            }
        }
    }

    /** The stages and memories of one text. */
    private final class TextState {
        final Task task;
        final int[] tokens;
        final List<ProgressiveRecord.Stage> history;
        final Map<Integer, float[]> memories;
        final Map<CramTask, Integer> warmFrom = new IdentityHashMap<>();
        float[] nll; // nll[i] = -log p(token i+1 | tokens 0..i), no memory

        TextState(Task task, int[] tokens) {
            this.task = task;
            this.tokens = tokens;
            this.history = new ArrayList<>(task.done());
            this.memories = new LinkedHashMap<>(task.memories());
        }

        /** The stage at {@code length}, warm-started from the longest passed stage shorter than it. */
        CramTask stageTask(int length, boolean cold) {
            int from = cold ? 0 : history.stream().filter(x -> x.passed() && x.length() < length && memories.containsKey(x.length()))
                    .mapToInt(ProgressiveRecord.Stage::length).max().orElse(0);
            int[] ids = Arrays.copyOf(tokens, length);
            // from 0: the given init (memories key 0) or random; a cold restart is always random
            CramTask t = new CramTask(task.textId(), task.textSource(), null, ids, task.nMem(),
                    cold ? null : memories.get(from), task.seed(), null);
            warmFrom.put(t, from);
            return t;
        }

        ProgressiveRecord.Stage stageOf(CramResult result, CramTask task) {
            RunRecord r = result.record();
            int from = warmFrom.remove(task);
            double added = 0;
            for (int j = Math.max(from, 1); j < r.text().length(); j++) {
                added += nll[j - 1];
            }
            boolean passed = criterion == Criterion.GREEDY ? r.metrics().greedyExactMatch() : r.metrics().bestAccuracy() >= threshold;
            // units of L: the given first token counts with the paper's indexing (see Exactness#encodedTokens)
            int horizon = r.metrics().greedyPrefixLength() < 0 ? -1
                    : r.metrics().greedyPrefixLength() + (settings.scoreFirstToken() ? 0 : 1);
            return new ProgressiveRecord.Stage(history.size(), r.text().length(), from, r.trajectory().steps(), r.metrics().bestLoss(), r.metrics().bestAccuracy(),
                    passed, horizon, r.text().length() - from, added, r.trajectory().stopReason(), r.trajectory().wallTimeSeconds(), null);
        }

        ProgressiveRecord record() {
            int horizon = history.stream().mapToInt(ProgressiveRecord.Stage::horizon).max().orElse(0);
            int longest = history.stream().filter(ProgressiveRecord.Stage::passed).mapToInt(ProgressiveRecord.Stage::length)
                    .max().orElse(0);
            int steps = history.stream().mapToInt(ProgressiveRecord.Stage::steps).sum();
            Map<String, Object> m = RecordBuilder.withLayers(model, settings.asMap());
            m.put("criterion", criterion.label());
            if (criterion == Criterion.TEACHER_FORCED) m.put("threshold", threshold);
            return new ProgressiveRecord(task.textId(), task.textSource(), model.info().modelId(), task.nMem(), task.seed(),
                    policy.name(), criterion.label(), tokens, List.copyOf(history), Math.max(horizon, 0), longest, steps, m);
        }
    }

    /** Options; the per-stage budget is the settings' {@code maxSteps} and {@code patience}. */
    public static final class Builder {
        private final CausalLM model;
        private CramSettings settings = CramSettings.builder().optMaxSteps(500).optPatience(500).build();
        private StagePolicy policy = StagePolicy.grow(2, 1);
        private Criterion criterion = Criterion.GREEDY;
        private double threshold = 0.99;
        private boolean restart;

        private Builder(CausalLM model) {
            this.model = model;
        }

        /** Per-stage optimiser, step budget ({@code maxSteps}), patience and batch size (default: paper optimiser, 500 steps). */
        public Builder optSettings(CramSettings settings) {
            this.settings = settings;
            return this;
        }

        /** Stage schedule (default: start at 2 tokens, grow by 1). */
        public Builder optPolicy(StagePolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Pass criterion (default greedy). */
        public Builder optCriterion(Criterion criterion) {
            this.criterion = criterion;
            return this;
        }

        /** Teacher-forced pass threshold (default 0.99). */
        /**
         * When a warm-started stage fails, try that length once more from a random memory before the text
         * stops (default false: stop at the first failure, as Progressive Cramming). A warm start can sit in
         * a basin the longer text does not fit; a cold start costs one more stage budget, on failures only.
         */
        public Builder optRestartOnFailure(boolean restart) {
            this.restart = restart;
            return this;
        }

        public Builder optThreshold(double threshold) {
            if (!(threshold > 0 && threshold <= 1)) {
                throw new CramException("teacher-forced threshold must be in (0, 1], got " + threshold);
            }
            this.threshold = threshold;
            return this;
        }

        public ProgressiveCrammer build() {
            return new ProgressiveCrammer(this);
        }
    }
}
