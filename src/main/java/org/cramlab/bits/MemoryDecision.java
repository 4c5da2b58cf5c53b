package org.cramlab.bits;

import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * {@code --mem auto}: per chunk, whether cramming a memory can pay for the bits it costs. A memory
 * costs its payload (K x d x precision bits plus the per-vector offset and step); it can save at most
 * the chunk's coded bits under the model alone, and at most what K vectors hold: the information gain
 * measured once on a short probe ({@link Codec#PROBE_TOKENS} tokens), times {@link #SLACK} for a longer
 * text and the chunk's own optimisation. Where the bound is below the cost the chunk is coded by the
 * model alone and nothing is crammed; where it is not, the chunk is crammed and keeps the memory only if
 * memory plus coded tokens come out smaller than the model-alone coding. So an auto container is never
 * larger than the model-alone coding (plus one byte per chunk saying it has no memory).
 *
 * <p>Not in the paper: it crams every text; the compressor only crams where it can pay.
 */
final class MemoryDecision {

    /** Headroom on the probe's information gain. */
    static final double SLACK = 2;

    private final int k;
    private final long costBits;
    private double gainBits = Double.NaN;

    /** @param payloadBytes the stored memory's bytes */
    MemoryDecision(int k, int payloadBytes) {
        this.k = k;
        this.costBits = 8L * payloadBytes;
    }

    /** What K vectors held on the probe, in bits (NaN before the probe ran). */
    double gainBits() {
        return gainBits;
    }

    /**
     * Null when cramming is worth trying on a chunk that codes in {@code aloneBits} under the model alone;
     * else why not. {@code probe} measures K vectors' information gain (run at most once).
     */
    String before(long aloneBits, DoubleSupplier probe) {
        if (costBits >= aloneBits) {
            return String.format(Locale.ROOT, "model alone: a memory costs %d bits, the chunk codes in %d without one",
                    costBits, aloneBits);
        }
        if (Double.isNaN(gainBits)) {
            gainBits = probe.getAsDouble();
        }
        double bound = Math.min(aloneBits, SLACK * gainBits);
        if (bound <= costBits) {
            return String.format(Locale.ROOT, "model alone: a memory costs %d bits and can save at most %.0f"
                    + " (%d vector(s) held %.0f bits on a probe of <= %d tokens, x%.0f)", costBits, bound, k, gainBits,
                    Codec.PROBE_TOKENS, SLACK);
        }
        return null;
    }

    /** Why the chunk keeps or drops the memory it was crammed with. */
    String after(int withBytes, int aloneBytes) {
        return withBytes < aloneBytes
                ? String.format(Locale.ROOT, "memory: %d vector(s) + tokens %d bytes, model alone %d", k, withBytes,
                        aloneBytes)
                : String.format(Locale.ROOT, "model alone: crammed, but memory + tokens took %d bytes, %d without",
                        withBytes, aloneBytes);
    }
}
