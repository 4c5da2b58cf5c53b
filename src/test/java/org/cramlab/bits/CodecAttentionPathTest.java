package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LoadOptions;
import org.cramlab.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 item 2: a container records the attention path its logits were computed on, and decoding on
 * another path is refused up front naming it (before: a SHA-256 failure that printed identical settings).
 * The long Llama fixture (2048 positions) on a text long enough that AUTO switches to the fused path.
 */
class CodecAttentionPathTest {

    @TempDir
    static Path tmp;
    static Path dir;
    static final Map<AttentionPath, CausalLM> MODELS = new EnumMap<>(AttentionPath.class);
    static byte[] data;

    @BeforeAll
    static void load() {
        dir = FixtureCodecs.modelDir("llama_long", tmp);
        for (AttentionPath p : AttentionPath.values()) {
            MODELS.put(p, Models.load(dir, LoadOptions.builder().optAttention(p).build()));
        }
        data = FixtureCodecs.text(450, 5).getBytes(StandardCharsets.UTF_8);
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(CausalLM::close);
    }

    @Test
    void everyPathRoundTripsAndIsRecorded() {
        for (AttentionPath p : AttentionPath.values()) {
            try (Codec codec = Codec.builder(MODELS.get(p), dir).optMem(1).optSteps(2).build()) {
                Codec.Compressed c = codec.compress(data);
                assertTrue(c.container().header().tokens() + 2 >= 384, "K + BOS + L reaches AUTO's crossover");
                CodingPath recorded = Container.read(c.bytes(), "x.cram").header().path();
                assertEquals(p.name().toLowerCase(), recorded.attention(), "recorded path");
                assertEquals(p != AttentionPath.EXPLICIT, recorded.fusedModule() != null, "fused module hash");
                assertTrue(recorded.threads() >= 1, "threads recorded on a CPU");
                assertArrayEquals(data, codec.decompress(c.bytes(), "x.cram"), p.name());
            }
        }
    }

    @Test
    void anotherPathIsRefusedUpFrontNamingIt() {
        byte[] cram;
        try (Codec codec = Codec.builder(MODELS.get(AttentionPath.AUTO), dir).optMem(0).build()) {
            cram = codec.compress(data).bytes();
        }
        for (AttentionPath other : new AttentionPath[] {AttentionPath.EXPLICIT, AttentionPath.FUSED}) {
            try (Codec codec = Codec.builder(MODELS.get(other), dir).build()) {
                BitsException e = assertThrows(BitsException.class, () -> codec.decompress(cram, "x.cram"));
                assertTrue(e.getMessage().contains("attention auto") && e.getMessage().contains("attention "
                        + other.name().toLowerCase()) && e.getMessage().contains("CRAMLAB_ATTENTION=auto"),
                        e.getMessage());
            }
        }
    }

    @Test
    void aShortTextUnderAutoRanTheExplicitPathAndSaysSo() {
        byte[] shortText = FixtureCodecs.text(40, 9).getBytes(StandardCharsets.UTF_8);
        try (Codec auto = Codec.builder(MODELS.get(AttentionPath.AUTO), dir).optMem(0).build();
                Codec explicit = Codec.builder(MODELS.get(AttentionPath.EXPLICIT), dir).optMem(0).build()) {
            byte[] cram = auto.compress(shortText).bytes();
            assertEquals("explicit", Container.read(cram, "s.cram").header().path().attention());
            assertArrayEquals(shortText, explicit.decompress(cram, "s.cram"));
        }
    }
}
