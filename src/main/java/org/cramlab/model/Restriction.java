package org.cramlab.model;

/**
 * Which part of a loaded model one call runs ({@link LayerView}): its first {@code layers} decoder layers
 * (then the final norm and head), and from layer {@code knockoutFrom} on, text positions may not attend
 * to the first {@code memoryPositions} positions (the memory).
 *
 * @param layers decoder layers run, 1..all
 * @param knockoutFrom first 0-based layer whose attention skips the memory; {@link Integer#MAX_VALUE}: none
 * @param memoryPositions K, the leading positions hidden from text queries in knocked-out layers
 */
record Restriction(int layers, int knockoutFrom, int memoryPositions) {

    /** The whole model. */
    static Restriction all(int layers) {
        return new Restriction(layers, Integer.MAX_VALUE, 0);
    }

    /** The same layers with the memory hidden from layer {@code from} on. */
    Restriction withKnockout(int from, int memory) {
        return new Restriction(layers, from, memory);
    }

    /** Whether some layer run here has its memory columns masked. */
    boolean knocksOut() {
        return knockoutFrom < layers && memoryPositions > 0;
    }

    /** A model without attention (Mamba) has nothing to knock out. */
    void requireNoKnockout(ModelInfo info) {
        if (knockoutFrom != Integer.MAX_VALUE) {
            throw noAttention(info);
        }
    }

    static ModelException noAttention(ModelInfo info) {
        return new ModelException("attention knockout needs an attention model; " + info.modelId() + " is "
                + info.modelType() + " (no attention)");
    }
}
