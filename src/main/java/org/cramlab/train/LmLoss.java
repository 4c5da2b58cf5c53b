package org.cramlab.train;

import ai.djl.ndarray.NDArray;

/** Next-token cross-entropy of a causal LM, as transformers' {@code labels=input_ids} loss. */
public final class LmLoss {

    private LmLoss() {}

    /**
     * Per-position negative log-likelihood of each next token: position t predicts token t+1.
     *
     * @param logits float32 [B, T, V]
     * @param ids int64 [B, T]
     * @return float32 [B, T-1], in nats
     */
    public static NDArray tokenNll(NDArray logits, NDArray ids) {
        NDArray logp = logits.get(":, :-1, :").logSoftmax(-1);
        NDArray targets = ids.get(":, 1:").expandDims(-1);
        return logp.gather(targets, -1).squeeze(-1).neg();
    }

    /** Mean next-token cross-entropy over all positions (nats per token). */
    public static NDArray mean(NDArray logits, NDArray ids) {
        return tokenNll(logits, ids).mean();
    }
}
