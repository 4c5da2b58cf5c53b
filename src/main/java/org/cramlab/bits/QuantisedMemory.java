package org.cramlab.bits;

import java.nio.ByteBuffer;
import org.cramlab.checkpoint.Bf16;

/**
 * A memory [K, d] stored at a {@link Precision}: the exact bytes a container holds.
 *
 * <p>Layout (big-endian): float32/bfloat16/float16 store each value row-major. Uniform b-bit codes
 * store, per vector, float32 {@code offset} (the vector's minimum) and float32 {@code step}
 * ((max - min) / (2^b - 1)), then all K*d codes packed most significant bit first, padded to a byte.
 * A value x becomes {@code q = round((x - offset) / step)}, read back as {@code offset + q * step}:
 * error at most step / 2 (plus float32 rounding).
 *
 * @param precision how the values are stored
 * @param k number of vectors
 * @param d width of a vector
 * @param payload the stored bytes ({@link #payloadBytes} of them)
 */
public record QuantisedMemory(Precision precision, int k, int d, byte[] payload) {

    public QuantisedMemory {
        if (payload.length != payloadBytes(precision, k, d)) {
            throw new BitsException("memory payload of " + payload.length + " bytes, expected "
                    + payloadBytes(precision, k, d) + " for K = " + k + ", d = " + d + " at " + precision);
        }
    }

    /** Bytes of a [k, d] memory at {@code p}. */
    public static int payloadBytes(Precision p, int k, int d) {
        return (int) ((p.bitsPerVector(d) * k + 7) / 8);
    }

    /** The nominal size in bits: K * (d * b + scales), before padding to a byte. */
    public long bits() {
        return precision.bitsPerVector(d) * k;
    }

    /** Stores row-major [k, d] {@code memory} at {@code p}. */
    public static QuantisedMemory quantise(float[] memory, int k, int d, Precision p) {
        if (memory.length != k * d) {
            throw new BitsException("memory has " + memory.length + " values, expected K * d = " + k * d);
        }
        ByteBuffer out = ByteBuffer.allocate(payloadBytes(p, k, d));
        switch (p.kind()) {
            case FLOAT32 -> {
                for (float v : memory) {
                    out.putFloat(v);
                }
            }
            case BFLOAT16 -> {
                for (float v : memory) {
                    out.putShort((short) Bf16.toBits(Float.floatToRawIntBits(v)));
                }
            }
            case FLOAT16 -> {
                for (float v : memory) {
                    out.putShort((short) Half.fromFloat(v));
                }
            }
            case UNIFORM -> uniform(memory, k, d, p.bits(), out);
        }
        return new QuantisedMemory(p, k, d, out.array());
    }

    private static void uniform(float[] memory, int k, int d, int b, ByteBuffer out) {
        int levels = (1 << b) - 1;
        int[] codes = new int[k * d];
        for (int r = 0; r < k; r++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = r * d; i < (r + 1) * d; i++) {
                if (!Float.isFinite(memory[i])) {
                    throw new BitsException("memory value " + i + " is " + memory[i] + ": cannot quantise");
                }
                lo = Math.min(lo, memory[i]);
                hi = Math.max(hi, memory[i]);
            }
            float step = (hi - lo) / levels;
            out.putFloat(lo);
            out.putFloat(step);
            for (int i = r * d; i < (r + 1) * d; i++) {
                codes[i] = step == 0 ? 0 : (int) Math.max(0, Math.min(levels, Math.round((memory[i] - lo) / step)));
            }
        }
        long acc = 0;
        int held = 0;
        for (int c : codes) {
            acc = (acc << b) | c;
            held += b;
            while (held >= 8) {
                out.put((byte) (acc >>> (held - 8)));
                held -= 8;
            }
        }
        if (held > 0) {
            out.put((byte) (acc << (8 - held)));
        }
    }

    /** The stored values as row-major float32 [k, d] (what the model sees). */
    public float[] dequantise() {
        ByteBuffer in = ByteBuffer.wrap(payload);
        float[] m = new float[k * d];
        switch (precision.kind()) {
            case FLOAT32 -> {
                for (int i = 0; i < m.length; i++) {
                    m[i] = in.getFloat();
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < m.length; i++) {
                    m[i] = Float.intBitsToFloat((in.getShort() & 0xffff) << 16);
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < m.length; i++) {
                    m[i] = Half.toFloat(in.getShort() & 0xffff);
                }
            }
            case UNIFORM -> {
                int b = precision.bits();
                float[] lo = new float[k];
                float[] step = new float[k];
                for (int r = 0; r < k; r++) {
                    lo[r] = in.getFloat();
                    step[r] = in.getFloat();
                }
                long acc = 0;
                int held = 0;
                int mask = (1 << b) - 1;
                for (int i = 0; i < m.length; i++) {
                    while (held < b) {
                        acc = (acc << 8) | (in.get() & 0xff);
                        held += 8;
                    }
                    int q = (int) (acc >>> (held - b)) & mask;
                    held -= b;
                    m[i] = lo[i / d] + q * step[i / d];
                }
            }
        }
        return m;
    }

    /** {@code memory} stored at {@code p} and read back. */
    public static float[] roundTrip(float[] memory, int k, int d, Precision p) {
        return quantise(memory, k, d, p).dequantise();
    }
}
