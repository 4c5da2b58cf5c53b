package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;

/** Decoding from input embeddings with the model's incremental state (KV cache). */
public final class Generation {

    /** No stop token. */
    public static final int NO_STOP = -1;

    private Generation() {}

    /** Greedy decoding of up to {@code maxNewTokens} tokens after {@code prefixEmbeds}, no stop token. */
    public static int[] greedy(CausalLM model, NDArray prefixEmbeds, int maxNewTokens) {
        return greedy(model, prefixEmbeds, maxNewTokens, NO_STOP);
    }

    /**
     * Greedy decoding: feeds the prefix [1, P, d] (e.g. memory vectors, or memory plus a prompt) once,
     * then one argmax token at a time through the cache. Stops after {@code maxNewTokens}, after
     * emitting {@code stopToken} (included in the result), or when the model's positions run out.
     * All arrays are freed on return.
     */
    public static int[] greedy(CausalLM model, NDArray prefixEmbeds, int maxNewTokens, int stopToken) {
        if (prefixEmbeds.getShape().dimension() != 3 || prefixEmbeds.getShape().get(0) != 1) {
            throw new IllegalArgumentException("prefix embeddings must be [1, P, d], got " + prefixEmbeds.getShape());
        }
        int[] out = new int[maxNewTokens];
        int n = 0;
        int room = model.info().maxPositions() - (int) prefixEmbeds.getShape().get(1);
        try (NDManager gen = prefixEmbeds.getManager().newSubManager();
                CausalLM.DecodeState state = model.newDecodeState(gen)) {
            NDArray next;
            try (NDManager step = gen.newSubManager()) {
                NDArray x = prefixEmbeds.duplicate();
                x.attach(step); // keep this call's temporaries out of the caller's manager
                next = lastArgmax(model.forwardIncremental(x, state));
            }
            while (n < maxNewTokens) {
                int token = (int) next.getLong();
                next.close();
                out[n++] = token;
                if (token == stopToken || n == maxNewTokens || n > room) {
                    break;
                }
                try (NDManager step = gen.newSubManager()) {
                    NDArray ids = step.create(new long[][] {{token}});
                    next = lastArgmax(model.forwardIncremental(model.embed(ids), state));
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** argmax over the vocabulary at the last position, detached into its own array. */
    private static NDArray lastArgmax(NDArray logits) {
        long t = logits.getShape().get(1);
        NDArray a = logits.get(new NDIndex("0, {}", t - 1)).argMax();
        a.detach();
        return a;
    }
}
