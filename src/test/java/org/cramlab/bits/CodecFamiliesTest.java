package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * compress/decompress round trips on every model family of the fixtures (llama, gpt_neox, gpt2, opt, olmo,
 * mamba), with a forced memory, the automatic decision and the model alone. Issue 22 item 1: on Mamba
 * (no position limit) the chunk count overflowed and the container could not be decompressed.
 */
class CodecFamiliesTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt_neox_parallel", "gpt2", "opt_350m_style", "olmo", "mamba"})
    void roundTripsOnEveryFamily(String fixture, @TempDir Path tmp) {
        Path dir = FixtureCodecs.modelDir(fixture, tmp);
        byte[] data = FixtureCodecs.text(150, fixture.hashCode()).getBytes(StandardCharsets.UTF_8);
        try (CausalLM model = Models.load(dir)) {
            for (Codec.Builder b : List.of(Codec.builder(model, dir).optMem(1).optSteps(2),
                    Codec.builder(model, dir).optAutoMem().optSteps(2), Codec.builder(model, dir).optMem(0))) {
                try (Codec codec = b.build()) {
                    Codec.Compressed c = codec.compress(data);
                    int tokens = c.container().header().tokens();
                    int cap = codec.chunkCapacity();
                    assertTrue(cap >= 1 && cap <= Codec.MAX_CHUNK_TOKENS, "chunk capacity " + cap);
                    assertTrue(c.container().chunks().size() >= (tokens + cap - 1) / cap, fixture + " chunks");
                    assertEquals(tokens, c.container().chunks().stream().mapToInt(Container.Chunk::tokens).sum());
                    for (Container.Chunk ch : c.container().chunks()) {
                        int positions = (ch.memory() == null ? 0 : ch.memory().k()) + 1 + ch.tokens();
                        assertTrue(ch.tokens() <= cap && positions <= model.info().maxPositions() + 1L, fixture);
                    }
                    assertEquals(c.container().chunks().size(), c.decisions().size());
                    assertArrayEquals(data, codec.decompress(c.bytes(), fixture + ".cram"), fixture);
                }
            }
            if (fixture.equals("mamba")) {
                assertEquals(Integer.MAX_VALUE, model.info().maxPositions());
            }
        }
    }
}
