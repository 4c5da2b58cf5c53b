package org.cramlab.cram;

/**
 * The paper's metrics (section 1.3 of the reference; {@code ablations_analyze_results.ipynb} and
 * {@code data/models_list.csv} of the official code). Cross-entropies are in nats unless named bits.
 */
public final class Metrics {

    private static final double LN2 = Math.log(2);

    private Metrics() {}

    /**
     * Text cross-entropy of L tokens from a mean loss over the L-1 targets: {@code meanLoss * L}. The
     * paper multiplies by L, not L-1; kept so that numbers compare with its tables.
     */
    public static double textCe(double meanLoss, int length) {
        return meanLoss * length;
    }

    /** Nats to bits. */
    public static double bits(double nats) {
        return nats / LN2;
    }

    /** Information gain C_H = original_ce - best_ce (nats). */
    public static double informationGain(double originalLoss, double bestLoss, int length) {
        return textCe(originalLoss, length) - textCe(bestLoss, length);
    }

    /** Token gain = (max accuracy - original accuracy) * L: extra correctly predicted tokens. */
    public static double tokenGain(double bestAccuracy, double originalAccuracy, int length) {
        return (bestAccuracy - originalAccuracy) * length;
    }

    /**
     * Theoretical capacity in tokens ("Eq. 1"): {@code 16 * d / log2|V|}, a d-dim 16-bit vector's
     * bits over the bits per token; |V| is {@code config.vocab_size}.
     */
    public static double theoreticalCapacity(int hiddenSize, int vocabSize) {
        return 16.0 * hiddenSize / (Math.log(vocabSize) / LN2);
    }

    /** Capacity utilisation = token gain / theoretical capacity. */
    public static double utilisation(double tokenGain, int hiddenSize, int vocabSize) {
        return tokenGain / theoreticalCapacity(hiddenSize, vocabSize);
    }

    /** Compression ratio = text tokens per memory vector, L / K. */
    public static double compressionRatio(int length, int nMem) {
        return (double) length / nMem;
    }
}
