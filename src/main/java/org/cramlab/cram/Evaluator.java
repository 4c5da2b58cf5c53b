package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.cramlab.model.CausalLM;

/**
 * Scores given memories on their texts without optimising them: the teacher-forced loss and accuracy of
 * each (memory, tokens) pair, in the engine's batches (longest K + L first, right padding, the same
 * {@link Batch} and loss), so a memory scores what the engine recorded for it; and the greedy decode.
 *
 * <pre>{@code
 * List<Evaluator.Score> s = new Evaluator(model, 8).score(List.of(new Evaluator.Item(ids, memory, 1)));
 * }</pre>
 */
public final class Evaluator {
    private final CausalLM model;
    private final int batchSize;

    /**
     * @param model a frozen model
     * @param batchSize items scored in one forward pass
     */
    public Evaluator(CausalLM model, int batchSize) {
        if (batchSize < 1) {
            throw new CramException("evaluation batch size must be >= 1, got " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
    }

    /**
     * A memory and the text it is scored on.
     *
     * @param tokenIds the L >= 2 token ids
     * @param memory row-major [K, d]
     * @param nMem K
     */
    public record Item(int[] tokenIds, float[] memory, int nMem) {}

    /**
     * @param loss mean shifted cross-entropy over the L - 1 targets, nats
     * @param accuracy teacher-forced accuracy over the same targets
     */
    public record Score(double loss, double accuracy) {}

    /** Loss and accuracy of every item, in the order given. */
    public List<Score> score(List<Item> items) {
        int d = model.info().hiddenSize();
        items.forEach(it -> check(it, d));
        Integer[] order = new Integer[items.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> -(items.get(i).nMem() + items.get(i).tokenIds().length)));
        Score[] out = new Score[items.size()];
        for (int from = 0; from < order.length; from += batchSize) {
            List<Integer> rows = Arrays.asList(order).subList(from, Math.min(order.length, from + batchSize));
            try (NDManager scope = model.manager().newSubManager()) {
                List<NDArray> memories = new ArrayList<>();
                List<int[]> tokens = new ArrayList<>();
                for (int i : rows) {
                    Item it = items.get(i);
                    memories.add(scope.create(it.memory(), new Shape(it.nMem(), d)));
                    tokens.add(it.tokenIds());
                }
                Batch batch = Batch.build(model, memories, tokens, scope);
                float[][] v = batch.stats(model.forward(batch.embeds(), batch.mask())).toHost();
                for (int r = 0; r < rows.size(); r++) {
                    out[rows.get(r)] = new Score(v[0][r], v[1][r]);
                }
            }
        }
        return Arrays.asList(out);
    }

    /**
     * Loss and accuracy of each text with no memory before it (the engine's "original" numbers), over the
     * same L - 1 targets as with a memory, so the two compare directly.
     */
    public List<Score> scoreAlone(List<int[]> texts) {
        List<Score> out = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<int[]> rows = texts.subList(from, Math.min(texts.size(), from + batchSize));
            for (int[] t : rows) {
                if (t.length < 2) throw new CramException("a text is scored on >= 2 tokens (the first is never a target), got " + t.length);
            }
            try (NDManager scope = model.manager().newSubManager()) {
                Batch batch = Batch.build(model, null, rows, scope);
                float[][] v = batch.stats(model.forward(batch.embeds(), batch.mask())).toHost();
                for (int r = 0; r < rows.size(); r++) {
                    out.add(new Score(v[0][r], v[1][r]));
                }
            }
        }
        return out;
    }

    /** Greedy decoding from the item's memory (one incremental decode: not batched). */
    public Greedy greedy(Item item) {
        check(item, model.info().hiddenSize());
        return Greedy.decode(model, item.memory(), item.nMem(), item.tokenIds());
    }

    private void check(Item it, int d) {
        int l = it.tokenIds() == null ? 0 : it.tokenIds().length;
        if (l < 2) {
            throw new CramException("a memory is scored on >= 2 tokens (the first is never a target), got " + l);
        }
        if (it.nMem() < 1 || it.memory() == null || it.memory().length != it.nMem() * d) {
            throw new CramException("memory has " + (it.memory() == null ? 0 : it.memory().length) + " values; expected K*d = "
                    + it.nMem() + "*" + d);
        }
        if (it.nMem() + l > model.info().maxPositions()) {
            throw new CramException("K + L = " + (it.nMem() + l) + " exceeds the model's " + model.info().maxPositions()
                    + " positions (" + model.info().modelId() + ")");
        }
    }
}
