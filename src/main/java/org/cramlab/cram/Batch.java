package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.cramlab.model.CausalLM;

/**
 * A right-padded batch of rows {@code [memory_b; embed(tokens_b)]} (the paper's MemoryCell input:
 * memory before BOS, memory at positions 0..K_b-1) and the shifted cross-entropy targets: position
 * {@code K_b + i} predicts token {@code i + 1} for i = 0..L_b-2, i.e. {@code logits[:, K:]} shifted,
 * the last memory position's prediction dropped. Runs may differ in K and L.
 *
 * <p>Indexing, where the paper and the Progressive Cramming peer differ: the paper (and by default this
 * class) drops the last memory position's logit, so token 0 is given and L - 1 tokens are scored. For
 * tokenizers that add BOS (Llama, Pythia) token 0 is BOS and every text token is still predicted from the
 * memory; for tokenizers that add none (stories260K, GPT-2, Mamba) token 0 is the first text token, which
 * the memory then never encodes. The peer scores the last memory position too ({@code scoreFirst}): the
 * memory predicts token 0 and all L tokens are scored. Without a memory nothing precedes token 0, so the
 * "original" (no memory) loss stays over the L - 1 tokens either way.
 *
 * @param embeds float32 [B, T, d], T = max_b (K_b + L_b - 1): the last token of a text is not fed
 * @param mask [B, T], 1 for real positions, 0 for right padding; null when no row is padded (the
 *     model then uses its cached causal mask)
 * @param targets int64 [B, T], the next text token where {@code weights} is 1
 * @param weights float32 [B, T], 1 at the L_b-1 scored positions of row b (L_b with {@code scoreFirst})
 * @param counts float32 [B], L_b - 1 (L_b with {@code scoreFirst})
 */
record Batch(NDArray embeds, NDArray mask, NDArray targets, NDArray weights, NDArray counts) {

    /** Per-row mean shifted cross-entropy (nats) and teacher-forced argmax accuracy, both [B]. */
    record Stats(NDArray loss, NDArray accuracy) {

        /** {loss[B], accuracy[B]} on the host, in one transfer. */
        float[][] toHost() {
            int b = (int) loss.size();
            float[] both = NDArrays.concat(new NDList(loss, accuracy)).toFloatArray();
            return new float[][] {java.util.Arrays.copyOfRange(both, 0, b), java.util.Arrays.copyOfRange(both, b, 2 * b)};
        }
    }

    /**
     * Builds the batch in {@code scope}.
     *
     * @param memories per-row memory [K_b, d] (may carry a gradient), or null for no memory (the
     *     paper's "original" loss)
     * @param tokens per-row token ids, L_b >= 2
     */
    static Batch build(CausalLM model, List<NDArray> memories, List<int[]> tokens, NDManager scope) {
        return build(model, memories, tokens, false, scope);
    }

    /**
     * As {@link #build(CausalLM, List, List, NDManager)}; with {@code scoreFirst} the last memory position
     * also predicts token 0 (needs memories).
     */
    static Batch build(CausalLM model, List<NDArray> memories, List<int[]> tokens, boolean scoreFirst, NDManager scope) {
        if (scoreFirst && memories == null) {
            throw new CramException("the first token can only be scored after a memory (nothing precedes it otherwise)");
        }
        int b = tokens.size();
        int[] k = new int[b];
        int kMax = 0;
        int t = 0;
        int tMin = Integer.MAX_VALUE;
        int[] fed = new int[b];
        for (int r = 0; r < b; r++) {
            k[r] = memories == null ? 0 : (int) memories.get(r).getShape().get(0);
            kMax = Math.max(kMax, k[r]);
            // The text's last token is not fed: its output would predict nothing (the paper feeds it and
            // drops the logit; leaving it out saves 1/T of the step and changes no scored prediction).
            fed[r] = Math.max(1, k[r] + tokens.get(r).length - 1);
            t = Math.max(t, fed[r]);
            tMin = Math.min(tMin, fed[r]);
        }
        long[] ids = new long[b * t];
        float[] mask = new float[b * t];
        long[] targets = new long[b * t];
        float[] weights = new float[b * t];
        float[] counts = new float[b];
        int vocab = model.info().vocabSize();
        for (int r = 0; r < b; r++) {
            int[] tok = tokens.get(r);
            int row = r * t + k[r];
            for (int i = 0; i < tok.length; i++) {
                if (tok[i] < 0 || tok[i] >= vocab) { // else a native "index out of range in self" from the embedding
                    throw new CramException("token id " + tok[i] + " at position " + i + " of batch row " + r + " is outside the"
                            + " model's vocabulary 0.." + (vocab - 1) + ": the text was tokenized for another model");
                }
                if (k[r] + i < fed[r]) {
                    ids[row + i] = tok[i];
                    mask[row + i] = 1;
                }
                if (i + 1 < tok.length) {
                    targets[row + i] = tok[i + 1];
                    weights[row + i] = 1;
                }
            }
            for (int i = 0; i < k[r]; i++) {
                mask[r * t + i] = 1;
            }
            counts[r] = tok.length - 1;
            if (scoreFirst) { // the last memory position predicts token 0
                targets[row - 1] = tok[0];
                weights[row - 1] = 1;
                counts[r] = tok.length;
            }
        }
        // Memory positions embed token 0 here; they are overwritten with the memory below.
        NDArray embeds = model.embed(scope.create(ids, new Shape(b, t)));
        if (kMax > 0) {
            embeds = withMemory(embeds, memories, k, kMax, scope);
        }
        return new Batch(
                embeds,
                tMin == t ? null : scope.create(mask, new Shape(b, t)),
                scope.create(targets, new Shape(b, t)),
                scope.create(weights, new Shape(b, t)),
                scope.create(counts));
    }

    /** Puts row b's memory at positions 0..K_b-1, keeping the graph to every memory. */
    private static NDArray withMemory(NDArray tokenEmbeds, List<NDArray> memories, int[] k, int kMax, NDManager scope) {
        int b = k.length;
        long d = tokenEmbeds.getShape().get(2);
        NDList padded = new NDList(b);
        boolean ragged = false;
        for (int r = 0; r < b; r++) {
            NDArray mem = memories.get(r);
            if (k[r] < kMax) {
                ragged = true;
                // ops on a memory land in the memory's (long-lived) manager: move the result to this step
                mem = inScope(mem.concat(scope.zeros(new Shape(kMax - k[r], d)), 0), scope);
            }
            padded.add(mem);
        }
        NDArray head = inScope(NDArrays.stack(padded), scope); // [B, kMax, d]
        if (ragged) {
            // padded memory slots hold zeros; add the token embedding there (x*0 elsewhere)
            float[] notMem = new float[b * kMax];
            for (int r = 0; r < b; r++) {
                for (int i = k[r]; i < kMax; i++) {
                    notMem[r * kMax + i] = 1;
                }
            }
            NDArray keep = scope.create(notMem, new Shape(b, kMax, 1));
            head = head.add(tokenEmbeds.get(":, :{}", kMax).mul(keep));
        }
        if (tokenEmbeds.getShape().get(1) == kMax) {
            return head;
        }
        return head.concat(tokenEmbeds.get(":, {}:", kMax), 1);
    }

    private static NDArray inScope(NDArray x, NDManager scope) {
        x.attach(scope);
        return x;
    }

    /**
     * Loss and accuracy per row from float32 logits [B, T, V]; log-softmax in float32. Closes {@code logits}:
     * autograd keeps only the log-probabilities for the backward, so the [B, T, V] logits would otherwise sit
     * in the step's manager through the backward, the step's peak (PyTorch's reference keeps them too).
     */
    Stats stats(NDArray logits) {
        NDArray loss = nll(logits).sum(new int[] {1}).div(counts);
        NDArray hit = logits.argMax(-1).eq(targets).toType(DataType.FLOAT32, false);
        NDArray accuracy = hit.mul(weights).sum(new int[] {1}).div(counts);
        logits.close();
        return new Stats(loss, accuracy);
    }

    /** Per-position cross-entropy (nats) [B, T]: -log p(target), 0 where nothing is scored. */
    NDArray nll(NDArray logits) {
        NDArray logp = logits.toType(DataType.FLOAT32, false).logSoftmax(-1);
        return logp.gather(targets.expandDims(-1), -1).squeeze(-1).neg().mul(weights);
    }
}
