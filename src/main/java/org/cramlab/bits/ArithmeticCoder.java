package org.cramlab.bits;

import java.io.ByteArrayOutputStream;

/**
 * A binary arithmetic coder with 32-bit state (Witten, Neal and Cleary, CACM 1987, with the
 * underflow "pending bits" rule), written out here.
 *
 * <p>Intervals are integer frequency tables whose total is at most {@link #MAX_TOTAL} (2^30): after
 * normalisation the state's range is always above a quarter of 2^32, so every symbol of frequency
 * >= 1 keeps a non-empty interval and the products {@code range * cum} fit in a {@code long}.
 * The code length of a message is within 2 bits (plus the final byte's padding) of
 * {@code -sum log2(freq/total)}.
 */
public final class ArithmeticCoder {

    /** Largest frequency total a table may have. */
    public static final long MAX_TOTAL = 1L << 30;

    private static final long FULL = 0xFFFFFFFFL;
    private static final long HALF = 1L << 31;
    private static final long QUARTER = 1L << 30;

    private ArithmeticCoder() {}

    /** Encodes symbols interval by interval; {@link #finish} returns the bytes. */
    public static final class Encoder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long low = 0;
        private long high = FULL;
        private long pending = 0;
        private int bitBuffer = 0;
        private int bitCount = 0;
        private boolean finished;

        /** Encodes the symbol whose interval is [cumLow, cumHigh) out of {@code total}. */
        public void encode(long cumLow, long cumHigh, long total) {
            if (finished) {
                throw new IllegalStateException("encoder already finished");
            }
            if (!(0 <= cumLow && cumLow < cumHigh && cumHigh <= total && total <= MAX_TOTAL)) {
                throw new IllegalArgumentException(
                        "bad interval [" + cumLow + ", " + cumHigh + ") of total " + total + " (total <= 2^30)");
            }
            long range = high - low + 1;
            high = low + range * cumHigh / total - 1;
            low = low + range * cumLow / total;
            while (true) {
                if (high < HALF) {
                    emit(0);
                } else if (low >= HALF) {
                    emit(1);
                    low -= HALF;
                    high -= HALF;
                } else if (low >= QUARTER && high < HALF + QUARTER) {
                    pending++;
                    low -= QUARTER;
                    high -= QUARTER;
                } else {
                    break;
                }
                low <<= 1;
                high = (high << 1) | 1;
            }
        }

        /** Encodes symbol {@code s} of {@code table}. */
        public void encode(Frequencies table, int s) {
            encode(table.cumulative(s), table.cumulative(s + 1), table.total());
        }

        /** Flushes the two bits that pin the final interval and pads to a whole byte. */
        public byte[] finish() {
            if (!finished) {
                finished = true;
                pending++;
                emit(low < QUARTER ? 0 : 1);
                while (bitCount != 0) {
                    bit(0);
                }
            }
            return out.toByteArray();
        }

        private void emit(int b) {
            bit(b);
            for (; pending > 0; pending--) {
                bit(1 - b);
            }
        }

        private void bit(int b) {
            bitBuffer = (bitBuffer << 1) | b;
            if (++bitCount == 8) {
                out.write(bitBuffer);
                bitBuffer = 0;
                bitCount = 0;
            }
        }
    }

    /** Decodes what an {@link Encoder} wrote, given the same tables in the same order. */
    public static final class Decoder {
        private final byte[] in;
        private long bitPos = 0;
        private long low = 0;
        private long high = FULL;
        private long value = 0;

        public Decoder(byte[] in) {
            this.in = in;
            for (int i = 0; i < 32; i++) {
                value = (value << 1) | nextBit();
            }
        }

        /** The next symbol under {@code table}. */
        public int decode(Frequencies table) {
            long total = table.total();
            long range = high - low + 1;
            long scaled = ((value - low + 1) * total - 1) / range;
            int s = table.symbolAt(scaled);
            high = low + range * table.cumulative(s + 1) / total - 1;
            low = low + range * table.cumulative(s) / total;
            while (true) {
                if (high < HALF) {
                    // nothing to subtract
                } else if (low >= HALF) {
                    value -= HALF;
                    low -= HALF;
                    high -= HALF;
                } else if (low >= QUARTER && high < HALF + QUARTER) {
                    value -= QUARTER;
                    low -= QUARTER;
                    high -= QUARTER;
                } else {
                    break;
                }
                low <<= 1;
                high = (high << 1) | 1;
                value = (value << 1) | nextBit();
            }
            return s;
        }

        /** Bits past the end read as 0 (the encoder's padding convention). */
        private int nextBit() {
            long byteIndex = bitPos >>> 3;
            int b = byteIndex < in.length ? (in[(int) byteIndex] >>> (7 - (int) (bitPos & 7))) & 1 : 0;
            bitPos++;
            return b;
        }
    }
}
