package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;

/**
 * The cramming engine: optimises up to {@code batchSize} runs (different texts, lengths, even K) in
 * one batched forward/backward per step. Rows are right-padded with an attention mask; each run has
 * its own memory, its own AdamW state and its own stopping; a finished run leaves the batch and its
 * slot is refilled from the queue.
 *
 * <p>The objective is the sum of the per-run mean losses, so each memory's gradient is exactly its
 * single-run gradient (rows do not interact in a decoder), and a batched run follows the same
 * trajectory as a run on its own, up to float rounding of padded shapes.
 *
 * <p>The paper's code reloads the model and optimises one text at a time; everything else (loss,
 * accuracy, optimiser, stopping) follows it. Tasks are taken longest first so that rows in a batch
 * have similar lengths (little padding); results come back in task order.
 */
public final class BatchedCrammer {

    private final CausalLM model;
    private final CramSettings settings;
    private final RecordBuilder records;
    private Double embeddingStd;

    /**
     * @param model a frozen model (its weights carry no gradient)
     * @param settings optimiser, stopping and batching options
     */
    public BatchedCrammer(CausalLM model, CramSettings settings) {
        this.model = model;
        this.settings = settings;
        this.records = new RecordBuilder(model, settings);
    }

    /** Runs every task; each finished run is reported to {@code listener} at once. */
    public List<CramResult> run(List<CramTask> tasks, RunListener listener) {
        tasks.forEach(this::validate);
        Integer[] order = new Integer[tasks.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> -(tasks.get(i).nMem() + tasks.get(i).length())));
        Deque<Integer> queue = new ArrayDeque<>(Arrays.asList(order));
        CramResult[] results = new CramResult[tasks.size()];
        Map<CramTask, Integer> index = new IdentityHashMap<>();
        run(new Feed() {
            @Override
            public CramTask poll() {
                Integer i = queue.poll();
                if (i == null) return null;
                index.put(tasks.get(i), i);
                return tasks.get(i);
            }

            @Override
            public void finished(CramResult result, CramTask task) {
                results[index.get(task)] = result;
            }
        }, listener);
        return Arrays.asList(results);
    }

    /**
     * Where the engine's runs come from when they are not all known up front: a finished run may queue
     * a follow-up (the next stage of a progressive text) that takes over the freed batch slot.
     */
    interface Feed {
        /** The next task to start, or null when none is waiting now. */
        CramTask poll();

        /** {@code task}'s run has stopped (after the listener saw it); the feed may queue follow-ups. */
        void finished(CramResult result, CramTask task);
    }

    /** The engine loop: fill free slots from {@code feed}, one batched step, retire stopped runs. */
    void run(Feed feed, RunListener listener) {
        List<Run> active = new ArrayList<>();
        int started = 0;
        try (NDManager base = model.manager().newSubManager()) {
            try {
                while (true) {
                    List<Run> joined = new ArrayList<>();
                    CramTask next;
                    while (active.size() + joined.size() < settings.batchSize() && (next = feed.poll()) != null) {
                        validate(next);
                        joined.add(start(started++, next, base));
                    }
                    if (!joined.isEmpty()) {
                        original(joined, base);
                        active.addAll(joined);
                    }
                    if (active.isEmpty()) {
                        break;
                    }
                    step(active, base, listener);
                    for (Iterator<Run> it = active.iterator(); it.hasNext(); ) {
                        Run r = it.next();
                        if (r.stop != null) {
                            it.remove();
                            CramResult result;
                            try (r) {
                                result = records.finish(r);
                            }
                            listener.onFinished(result);
                            feed.finished(result, r.task);
                        }
                    }
                }
            } finally {
                active.forEach(Run::close);
            }
        }
    }

    /** Fails with a message naming the bad value before any compute starts. */
    void validate(CramTask task) {
        ModelInfo info = model.info();
        String what = "text '" + task.textId() + "'";
        if (task.tokenIds() == null || task.tokenIds().length == 0) {
            throw new CramException(what + " is empty: it has no tokens to compress");
        }
        if (task.length() < 2) {
            throw new CramException(what + " has L = " + task.length()
                    + " token; at least 2 are needed (the first token is never a target)");
        }
        if (task.nMem() < 1) {
            throw new CramException("number of memory vectors K must be >= 1, got " + task.nMem());
        }
        if (task.nMem() + task.length() > info.maxPositions()) {
            throw new CramException("K + L = " + task.nMem() + " + " + task.length() + " = "
                    + (task.nMem() + task.length()) + " exceeds the model's " + info.maxPositions()
                    + " positions (" + info.modelId() + ")");
        }
        for (int id : task.tokenIds()) {
            if (id < 0 || id >= info.vocabSize()) {
                throw new CramException(what + " has token id " + id + " outside the vocabulary [0, "
                        + info.vocabSize() + ")");
            }
        }
        float[] init = task.initMemory();
        long want = (long) task.nMem() * info.hiddenSize();
        if (init != null && init.length != want) {
            throw new CramException("initial memory for " + what + " has " + init.length
                    + " values; expected K*d = " + task.nMem() + "*" + info.hiddenSize() + " = " + want);
        }
    }

    private Run start(int index, CramTask task, NDManager base) {
        int d = model.info().hiddenSize();
        float[] init = task.initMemory();
        if (init == null) {
            if (embeddingStd == null) {
                embeddingStd = Memory.embeddingStd(model);
            }
            init = Memory.random(task.seedOr(settings), task.nMem(), d, embeddingStd);
        }
        return new Run(index, task, init, d, settings, base);
    }

    /** The paper's "original" loss and accuracy: the same L tokens without memory. */
    private void original(List<Run> runs, NDManager base) {
        try (NDManager scope = base.newSubManager()) {
            Batch batch = Batch.build(model, null, runs.stream().map(r -> r.task.tokenIds()).toList(), scope);
            Batch.Stats stats = batch.stats(model.forward(batch.embeds(), batch.mask()));
            float[][] values = stats.toHost();
            float[] loss = values[0];
            float[] acc = values[1];
            for (int i = 0; i < runs.size(); i++) {
                runs.get(i).originalLoss = loss[i];
                runs.get(i).originalAccuracy = acc[i];
            }
        }
    }

    /** One batched forward/backward and one AdamW update per continuing run. */
    private void step(List<Run> runs, NDManager base, RunListener listener) {
        boolean[] goOn = new boolean[runs.size()];
        try (NDManager scope = base.newSubManager()) {
            List<int[]> tokens = runs.stream().map(r -> r.task.tokenIds()).toList();
            try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                List<NDArray> memories = runs.stream().map(r -> r.memory(scope)).toList(); // recorded: a subspace composes here
                Batch batch = Batch.build(model, memories, tokens, settings.scoreFirstToken(), scope);
                Batch.Stats stats = batch.stats(model.forward(batch.embeds(), batch.mask()));
                float[][] values = stats.toHost(); // the step's one device-to-host sync
                float[] loss = values[0];
                float[] acc = values[1];
                boolean any = false;
                for (int i = 0; i < runs.size(); i++) {
                    Run r = runs.get(i);
                    goOn[i] = r.observe(loss[i], acc[i]);
                    any |= goOn[i];
                    listener.onStep(new RunListener.Step(
                            r.task, r.losses.size(), loss[i], acc[i], r.bestAccuracySoFar(), r.elapsedSeconds()));
                }
                if (any) {
                    // Sum of per-run means: each memory gets exactly its own run's gradient.
                    collector.backward(stats.loss().sum());
                }
            }
        }
        for (int i = 0; i < runs.size(); i++) {
            if (goOn[i]) {
                Run r = runs.get(i);
                r.update();
                try (NDManager shown = base.newSubManager()) {
                    listener.onUpdate(r.task, r.losses.size(), r.memory(shown));
                }
            }
        }
    }
}
