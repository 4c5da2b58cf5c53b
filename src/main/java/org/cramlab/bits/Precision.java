package org.cramlab.bits;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a memory vector's numbers are stored: float32, bfloat16, float16, or uniform b-bit codes per
 * dimension (b = 1..16) with a per-vector offset and step (two float32 "scales" per vector).
 *
 * @param kind FLOAT32, BFLOAT16, FLOAT16 or UNIFORM
 * @param bits bits per dimension
 */
public record Precision(Kind kind, int bits) {

    /** Storage kinds. */
    public enum Kind { FLOAT32, BFLOAT16, FLOAT16, UNIFORM }

    public static final Precision FLOAT32 = new Precision(Kind.FLOAT32, 32);
    public static final Precision BFLOAT16 = new Precision(Kind.BFLOAT16, 16);
    public static final Precision FLOAT16 = new Precision(Kind.FLOAT16, 16);

    /** Bits of the per-vector scales of a uniform code: offset and step, float32 each. */
    public static final int SCALE_BITS = 64;

    public Precision {
        if (kind == Kind.UNIFORM && (bits < 1 || bits > 16)) {
            throw new BitsException("uniform precision takes 1 to 16 bits per dimension, got " + bits);
        }
    }

    /** Uniform b-bit codes per dimension with a per-vector offset and step. */
    public static Precision uniform(int bits) {
        return new Precision(Kind.UNIFORM, bits);
    }

    /** The curve the issue asks for: float32, bfloat16, float16, then uniform 8 down to 2 bits. */
    public static List<Precision> curve() {
        List<Precision> all = new ArrayList<>(List.of(FLOAT32, BFLOAT16, FLOAT16));
        for (int b = 8; b >= 2; b--) {
            all.add(uniform(b));
        }
        return all;
    }

    /** Parses {@code float32}, {@code bfloat16}, {@code float16} or {@code intB} / {@code uB} (uniform B bits). */
    public static Precision parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "float32", "fp32" -> {
                return FLOAT32;
            }
            case "bfloat16", "bf16" -> {
                return BFLOAT16;
            }
            case "float16", "fp16" -> {
                return FLOAT16;
            }
            default -> {
                String digits = t.startsWith("int") ? t.substring(3) : t.startsWith("u") ? t.substring(1) : null;
                if (digits != null && digits.matches("\\d{1,2}") && Integer.parseInt(digits) >= 1
                        && Integer.parseInt(digits) <= 16) {
                    return uniform(Integer.parseInt(digits));
                }
                throw new BitsException("precision '" + s + "' not understood: expected float32, bfloat16, float16"
                        + " or intB (uniform B bits per dimension, B = 1..16, e.g. int8)");
            }
        }
    }

    /** Bits one stored vector of width d takes: d * b, plus the scales for uniform codes. */
    public long bitsPerVector(int d) {
        return (long) d * bits + (kind == Kind.UNIFORM ? SCALE_BITS : 0);
    }

    /** One byte naming this precision in a container. */
    int code() {
        return switch (kind) {
            case FLOAT32 -> 0;
            case BFLOAT16 -> 1;
            case FLOAT16 -> 2;
            case UNIFORM -> 100 + bits;
        };
    }

    /** The precision of a container's code byte, or null when unknown. */
    static Precision ofCode(int code) {
        return switch (code) {
            case 0 -> FLOAT32;
            case 1 -> BFLOAT16;
            case 2 -> FLOAT16;
            default -> code > 100 && code <= 116 ? uniform(code - 100) : null;
        };
    }

    @Override
    public String toString() {
        return kind == Kind.UNIFORM ? "int" + bits : kind.name().toLowerCase(Locale.ROOT);
    }
}
