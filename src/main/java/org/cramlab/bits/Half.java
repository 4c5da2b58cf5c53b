package org.cramlab.bits;

/** IEEE 754 binary16 conversions (JDK 17 has none): round to nearest even, subnormals, inf and NaN. */
final class Half {

    private Half() {}

    /** The float16 bit pattern nearest to {@code f}. */
    static int fromFloat(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int abs = x & 0x7fffffff;
        if (abs >= 0x7f800000) { // inf or NaN
            return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
        }
        float a = Float.intBitsToFloat(abs);
        if (a < 0x1p-14f) { // subnormal half (or zero): multiples of 2^-24, exact in double
            return sign | (int) Math.rint(a * 0x1p24); // a carry to 0x400 is the smallest normal
        }
        int e = (abs >>> 23) - 127 + 15;
        int m = abs & 0x7fffff;
        int r = m >>> 13;
        int rest = m & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (r & 1) == 1)) {
            r++;
            if (r == 0x400) {
                r = 0;
                e++;
            }
        }
        if (e >= 31) {
            return sign | 0x7c00;
        }
        return sign | (e << 10) | r;
    }

    /** The float value of float16 bits {@code h} (low 16 bits). */
    static float toFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int e = (h >>> 10) & 0x1f;
        int m = h & 0x3ff;
        if (e == 0) {
            float v = m * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (e == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (m << 13));
        }
        return Float.intBitsToFloat(sign | ((e - 15 + 127) << 23) | (m << 13));
    }
}
