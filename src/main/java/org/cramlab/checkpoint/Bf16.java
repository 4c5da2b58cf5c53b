package org.cramlab.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bfloat16 {@literal <->} float32 bit conversions done in Java.
 *
 * <p>Why: DJL 0.36's PyTorch JNI has no bfloat16 dtype code; creating, converting to or reading a
 * bfloat16 tensor aborts the JVM natively ("terminate called without an active exception"). So BF16
 * checkpoints are widened here (exact: bf16 is the top half of a float32) and a bfloat16 weight
 * dtype is emulated by float32 storage of bf16-rounded values.
 */
public final class Bf16 {

    private Bf16() {}

    /** Widens little-endian bf16 values in {@code src} to a new direct native-order float32 buffer. */
    static ByteBuffer widen(ByteBuffer src, int count) {
        ByteBuffer dst = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            dst.putInt(i * 4, (in.getShort(i * 2) & 0xffff) << 16);
        }
        return dst;
    }

    /** Rounds float32 values in {@code src} to bf16 precision (round to nearest even) into a new direct buffer. */
    static ByteBuffer roundFloat32(ByteBuffer src, int count) {
        ByteBuffer dst = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            dst.putInt(i * 4, toBits(in.getInt(i * 4)) << 16);
        }
        return dst;
    }

    /** The bf16 bit pattern (low 16 bits) nearest to the float32 with bits {@code f}. */
    public static int toBits(int f) {
        if ((f & 0x7f800000) == 0x7f800000 && (f & 0x007fffff) != 0) {
            return ((f >>> 16) | 0x40) & 0xffff; // keep NaN a (quiet) NaN
        }
        return ((f + 0x7fff + ((f >>> 16) & 1)) >>> 16) & 0xffff;
    }

    /** {@code x} rounded to the nearest bfloat16 value. */
    public static float round(float x) {
        return Float.intBitsToFloat(toBits(Float.floatToRawIntBits(x)) << 16);
    }
}
