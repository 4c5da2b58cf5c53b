package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Test;

/** Baselines write their real formats; the comparison's sizes are the real file sizes. */
class ComparisonTest {

    static final byte[] TEXT = ("It is a truth universally acknowledged, that a single man in possession of a good"
            + " fortune, must be in want of a wife. ").repeat(3).getBytes(StandardCharsets.UTF_8);

    @Test
    void baselinesWriteTheirFileFormatsAndRoundTrip() {
        for (Baselines b : Baselines.values()) {
            byte[] file = b.compress(TEXT);
            assertArrayEquals(TEXT, b.decompress(file), b.label());
            assertTrue(file.length < TEXT.length, b.label() + " compresses repeated text");
        }
        byte[] gz = Baselines.GZIP.compress(TEXT);
        assertEquals(0x1f, gz[0] & 0xff);
        assertEquals(0x8b, gz[1] & 0xff);
        // a gzip member is 10 header + raw deflate + 8 trailer bytes; the deflate stream is level 9's
        java.util.zip.Deflater def = new java.util.zip.Deflater(9, true);
        def.setInput(TEXT);
        def.finish();
        byte[] raw = new byte[TEXT.length * 2];
        int n = def.deflate(raw);
        assertEquals(n + 18, gz.length);
        assertArrayEquals(Arrays.copyOf(raw, n), Arrays.copyOfRange(gz, 10, 10 + n));
        assertArrayEquals("BZh9".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(Baselines.BZIP2.compress(TEXT), 4));
        assertArrayEquals(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, Arrays.copyOf(Baselines.XZ.compress(TEXT), 6));
    }

    @Test
    void rowsCarryTheRealSizesAndTheMemorysVerdict() {
        Path dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir);
                Codec alone = Codec.builder(model, dir).optMem(0).build();
                Codec crammed = Codec.builder(model, dir).optMem(1).optSteps(5).build()) {
            List<Comparison.Row> rows = Comparison.measure(TEXT, alone, List.of(crammed), List.of("cramlab K=1 int8"));
            assertEquals(List.of("gzip", "bzip2", "xz", "model alone", "cramlab K=1 int8"),
                    rows.stream().map(Comparison.Row::method).toList());
            assertEquals(Baselines.GZIP.compress(TEXT).length, rows.get(0).sizeBytes());
            assertEquals(Baselines.XZ.compress(TEXT).length, rows.get(2).sizeBytes());
            assertEquals(alone.compress(TEXT).bytes().length, rows.get(3).sizeBytes());
            Comparison.Row c = rows.get(4);
            assertEquals(crammed.compress(TEXT).bytes().length, c.sizeBytes()); // seeded: the same file again
            assertEquals(c.sizeBytes(), c.headerBytes() + c.memoryBytes() + c.tokenBytes());
            assertEquals(QuantisedMemory.payloadBytes(Precision.uniform(8), 1, 192), c.memoryBytes());
            assertEquals(8.0 * c.sizeBytes() / TEXT.length, c.bitsPerByte(), 1e-12);
            // one vector of the default model removes ~20 bits; its 200 bytes cannot pay for themselves
            assertTrue(c.note().endsWith("it does not pay"), c.note());
        }
    }

    @Test
    void verdictComparesCostWithSaving() {
        assertEquals("memory costs 800 bits and saves 80: it does not pay", Comparison.verdict(100, 10));
        assertEquals("memory costs 80 bits and saves 800: it pays", Comparison.verdict(10, 100));
    }
}
