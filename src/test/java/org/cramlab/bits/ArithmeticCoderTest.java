package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The coder against known distributions: exact round trips and code lengths at the ideal -sum log2 p. */
class ArithmeticCoderTest {

    /** Codes {@code n} symbols drawn from {@code table}; returns {coded bits, ideal bits}. */
    private static double[] roundTrip(Frequencies table, int n, long seed) {
        Random rng = new Random(seed);
        int[] msg = new int[n];
        double ideal = 0;
        ArithmeticCoder.Encoder enc = new ArithmeticCoder.Encoder();
        for (int i = 0; i < n; i++) {
            long r = (long) (rng.nextDouble() * table.total());
            msg[i] = table.symbolAt(r);
            enc.encode(table, msg[i]);
            ideal += table.bits(msg[i]);
        }
        byte[] code = enc.finish();
        ArithmeticCoder.Decoder dec = new ArithmeticCoder.Decoder(code);
        int[] back = new int[n];
        for (int i = 0; i < n; i++) {
            back[i] = dec.decode(table);
        }
        assertArrayEquals(msg, back);
        return new double[] {8.0 * code.length, ideal};
    }

    @Test
    void codeLengthIsTheIdealWithinAFewBits() {
        // p = (1/2, 1/4, 1/8, 1/16, 1/16): ideal lengths 1, 2, 3, 4, 4 bits
        int t = 1 << Frequencies.TOTAL_BITS;
        Frequencies dyadic = Frequencies.fromFrequencies(new int[] {t / 2, t / 4, t / 8, t / 16, t / 16});
        double[] r = roundTrip(dyadic, 20_000, 1);
        // finishing costs up to 2 bits and padding up to 7 more; never below the information content
        assertTrue(r[0] >= r[1] - 1 && r[0] <= r[1] + 10, "coded " + r[0] + " bits, ideal " + r[1]);
        // entropy of the source is 1.875 bits/symbol: the sample is close to it
        assertEquals(1.875, r[1] / 20_000, 0.03);
    }

    @Test
    void skewedAndWideDistributionsRoundTrip() {
        float[] logits = new float[2048];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (-0.01 * i * i);
        }
        logits[77] = 30; // p(77) ~ 1: almost free
        double[] r = roundTrip(Frequencies.fromLogits(logits), 5000, 2);
        assertTrue(r[0] <= r[1] + 10, "coded " + r[0] + " bits, ideal " + r[1]);
        double[] u = roundTrip(Frequencies.uniform(2048), 1000, 3);
        assertEquals(11.0 * 1000, u[1], 1.0); // log2 2048 = 11 bits each
        assertTrue(u[0] <= u[1] + 10);
    }

    @Test
    void emptyAndSingleSymbolMessages() {
        assertEquals(1, new ArithmeticCoder.Encoder().finish().length); // two pinning bits, padded
        Frequencies two = Frequencies.fromFrequencies(new int[] {1, (1 << Frequencies.TOTAL_BITS) - 1});
        ArithmeticCoder.Encoder enc = new ArithmeticCoder.Encoder();
        enc.encode(two, 0); // the 24-bit symbol
        byte[] code = enc.finish();
        assertTrue(code.length * 8 >= 24 && code.length * 8 <= 24 + 10, code.length + " bytes");
        assertEquals(0, new ArithmeticCoder.Decoder(code).decode(two));
    }

    @Test
    void frequencyTablesFollowTheSoftmax() {
        float[] logits = {2f, 1f, 0f, -1f, -50f, Float.NEGATIVE_INFINITY};
        Frequencies f = Frequencies.fromLogits(logits);
        double z = 0;
        for (float l : logits) {
            z += Math.exp(l);
        }
        long sum = 0;
        for (int s = 0; s < logits.length; s++) {
            assertTrue(f.frequency(s) >= 1, "symbol " + s);
            sum += f.frequency(s);
            double p = Math.exp(logits[s]) / z;
            assertEquals(p, (double) f.frequency(s) / f.total(), 1e-6, "symbol " + s);
        }
        assertEquals(f.total(), sum);
        // deterministic: the same logits give the same table
        Frequencies g = Frequencies.fromLogits(logits.clone());
        for (int s = 0; s < logits.length; s++) {
            assertEquals(f.frequency(s), g.frequency(s));
        }
        assertThrows(BitsException.class, () -> Frequencies.fromLogits(new float[] {0f, Float.NaN}));
        assertThrows(BitsException.class, () -> Frequencies.fromLogits(new float[] {0f, Float.POSITIVE_INFINITY}));
    }
}
