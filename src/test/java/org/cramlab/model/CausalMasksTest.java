package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The cached causal mask equals the one built per call, bit for bit, and leaves nothing behind. */
class CausalMasksTest {

    /** Full and incremental shapes, across table growths (64 -> 128 -> 150, capped at the model's positions). */
    @Test
    void slicesEqualTheMaskBuiltPerCall() {
        try (NDManager model = NDManager.newBaseManager()) {
            CausalMasks masks = new CausalMasks(model, 150);
            int[][] cases = {{0, 5}, {0, 64}, {3, 1}, {10, 7}, {0, 100}, {60, 30}, {140, 10}, {0, 150}};
            for (int[] c : cases) {
                int past = c[0];
                int t = c[1];
                try (NDManager step = model.newSubManager()) {
                    NDArray want = Attention.causalMask(step, 1, t, past, null);
                    NDArray got = masks.get(past, t, step);
                    assertEquals(new Shape(1, 1, t, past + t), got.getShape(), "past " + past + ", t " + t);
                    assertArrayEquals(want.toFloatArray(), got.toFloatArray(), "past " + past + ", t " + t);
                    assertEquals(step, got.getManager());
                }
                // only the one cached table stays on the model's manager
                assertEquals(1, model.getManagedArrays().size(), "arrays after past " + past + ", t " + t);
            }
        }
    }
}
