package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Storing a memory at every precision: sizes, error bounds, exact formats, float16 conversions. */
class QuantisedMemoryTest {

    private static float[] memory(int k, int d, long seed) {
        Random rng = new Random(seed);
        float[] m = new float[k * d];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (rng.nextGaussian() * 0.3 + (i % d == 0 ? 5 : 0)); // an outlier per vector
        }
        return m;
    }

    @Test
    void uniformCodesStayWithinHalfAStep() {
        int k = 3;
        int d = 192;
        float[] m = memory(k, d, 1);
        for (int b = 1; b <= 16; b++) {
            QuantisedMemory q = QuantisedMemory.quantise(m, k, d, Precision.uniform(b));
            assertEquals((k * ((long) d * b + 64) + 7) / 8, q.payload().length, "bytes at b = " + b);
            assertEquals(k * ((long) d * b + 64), q.bits());
            float[] back = q.dequantise();
            for (int r = 0; r < k; r++) {
                float lo = Float.MAX_VALUE;
                float hi = -Float.MAX_VALUE;
                for (int i = r * d; i < (r + 1) * d; i++) {
                    lo = Math.min(lo, m[i]);
                    hi = Math.max(hi, m[i]);
                }
                double step = (hi - lo) / ((1 << b) - 1);
                for (int i = r * d; i < (r + 1) * d; i++) {
                    // half a step, plus float32 rounding of offset + q * step
                    assertTrue(Math.abs(back[i] - m[i]) <= step / 2 + 1e-6 * (Math.abs(hi) + Math.abs(lo)),
                            "b = " + b + " value " + i + ": " + m[i] + " -> " + back[i] + " (step " + step + ")");
                }
            }
            // the stored values are what a second round trip reproduces exactly
            assertArrayEquals(back, QuantisedMemory.roundTrip(back, k, d, Precision.uniform(b)), (float) (1e-6 * 6));
        }
    }

    @Test
    void floatFormatsHaveTheirRelativeError() {
        float[] m = memory(2, 64, 2);
        assertArrayEquals(m, QuantisedMemory.roundTrip(m, 2, 64, Precision.FLOAT32), 0f);
        float[] bf = QuantisedMemory.roundTrip(m, 2, 64, Precision.BFLOAT16);
        float[] h = QuantisedMemory.roundTrip(m, 2, 64, Precision.FLOAT16);
        for (int i = 0; i < m.length; i++) {
            assertTrue(Math.abs(bf[i] - m[i]) <= Math.abs(m[i]) * 0x1p-8, "bf16 " + m[i] + " -> " + bf[i]);
            assertTrue(Math.abs(h[i] - m[i]) <= Math.abs(m[i]) * 0x1p-11 + 0x1p-25, "fp16 " + m[i] + " -> " + h[i]);
        }
        assertEquals(2 * 64 * 2, QuantisedMemory.quantise(m, 2, 64, Precision.FLOAT16).payload().length);
    }

    @Test
    void halfFloatMatchesIeee754() {
        assertEquals(0x3c00, Half.fromFloat(1f));
        assertEquals(0xc000, Half.fromFloat(-2f));
        assertEquals(0x7bff, Half.fromFloat(65504f));
        assertEquals(0x7c00, Half.fromFloat(65520f)); // rounds up to infinity
        assertEquals(0x3555, Half.fromFloat(1f / 3));
        assertEquals(0x2e66, Half.fromFloat(0.1f));
        assertEquals(0x0001, Half.fromFloat(0x1p-24f));
        assertEquals(0x0000, Half.fromFloat(0x1p-26f));
        assertEquals(0x0400, Half.fromFloat(0x1p-14f));
        assertEquals(0x3c00, Half.fromFloat(1f + 0x1p-11f)); // tie to even
        assertEquals(0x3c02, Half.fromFloat(1f + 3 * 0x1p-11f)); // tie to even, upwards
        for (int h = 0; h < 0x10000; h++) {
            if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
                assertTrue(Float.isNaN(Half.toFloat(h)));
                continue;
            }
            assertEquals(h, Half.fromFloat(Half.toFloat(h)), "half " + Integer.toHexString(h));
        }
    }

    @Test
    void precisionsParseAndRejectNonsense() {
        assertEquals(Precision.uniform(4), Precision.parse("int4"));
        assertEquals(Precision.BFLOAT16, Precision.parse("bf16"));
        assertEquals(Precision.FLOAT16, Precision.parse("float16"));
        BitsException e = assertThrows(BitsException.class, () -> Precision.parse("int99"));
        assertTrue(e.getMessage().contains("int99") && e.getMessage().contains("intB"), e.getMessage());
        assertThrows(BitsException.class, () -> Precision.parse("half-ish"));
        for (Precision p : Precision.curve()) {
            assertEquals(p, Precision.ofCode(p.code()));
        }
        assertEquals(10, Precision.curve().size());
    }
}
