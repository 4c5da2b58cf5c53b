package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.cramlab.model.BlasThreads;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container records the BLAS under libtorch (MKL and a preloaded OpenBLAS round matmuls differently, so a
 * container of one does not decode under the other): another BLAS is refused up front naming both; a
 * version-2 container (no BLAS recorded) still decodes.
 */
class CodecBlasTest {

    @TempDir
    static Path tmp;
    static Path dir;
    static CausalLM model;
    static Codec.Compressed compressed;
    static byte[] data;

    @BeforeAll
    static void load() {
        dir = FixtureCodecs.modelDir("llama", tmp);
        model = Models.load(dir);
        data = FixtureCodecs.text(60, 3).getBytes(StandardCharsets.UTF_8);
        try (Codec codec = Codec.builder(model, dir).optMem(1).optSteps(2).build()) {
            compressed = codec.compress(data);
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theBlasInUseIsRecordedAndReadBack() {
        CodingPath path = Container.read(compressed.bytes(), "x.cram").header().path();
        assertEquals(BlasThreads.shortName(), path.blas());
        assertTrue(path.describe().endsWith(", BLAS " + BlasThreads.shortName()), path.describe());
        try (Codec codec = Codec.builder(model, dir).build()) {
            assertArrayEquals(data, codec.decompress(compressed.bytes(), "x.cram"));
        }
    }

    @Test
    void anotherBlasIsRefusedUpFrontNamingBoth() {
        String other = BlasThreads.openBlas() ? BlasThreads.MKL : "openblas 0.3.21 zen";
        byte[] cram = withBlas(compressed.container(), other).write();
        try (Codec codec = Codec.builder(model, dir).build()) {
            BitsException e = assertThrows(BitsException.class, () -> codec.decompress(cram, "x.cram"));
            assertTrue(e.getMessage().startsWith("cannot decode x.cram: it was coded with BLAS " + other)
                    && e.getMessage().contains("this process uses " + BlasThreads.shortName())
                    && e.getMessage().contains("CRAMLAB_BLAS=" + (BlasThreads.openBlas() ? "mkl" : "openblas")), e.getMessage());
        }
    }

    @Test
    void versionTwoContainersWithoutABlasStillDecode() {
        byte[] v2 = compressed.container().write(Container.VERSION_2);
        assertEquals(2, v2[4]);
        assertEquals(compressed.bytes().length - 2 - BlasThreads.shortName().length(), v2.length, "no BLAS field (a UTF: u16 length + ASCII)");
        CodingPath path = Container.read(v2, "old.cram").header().path();
        assertNull(path.blas());
        assertTrue(!path.describe().contains("BLAS"), path.describe());
        try (Codec codec = Codec.builder(model, dir).build()) {
            assertArrayEquals(data, codec.decompress(v2, "old.cram"));
        }
    }

    private static Container withBlas(Container c, String blas) {
        Container.Header h = c.header();
        CodingPath p = h.path();
        return new Container(new Container.Header(h.model(), h.cramlabVersion(), h.d(), h.vocab(), h.k(), h.precision(),
                h.bos(), h.originalBytes(), h.sha256(), h.tokens(),
                new CodingPath(p.attention(), p.crossover(), p.fusedModule(), p.threads(), blas)), c.chunks());
    }
}
