package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.BlasThreads;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.WordList;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * decompress(compress(x)) == x on the default model for many kinds of text, with and without memory
 * and at several precisions; damaged containers and the wrong model are clear errors.
 */
class CodecTest {

    static Path dir;
    static CausalLM model;

    @BeforeAll
    static void load() {
        dir = DefaultModel.directory();
        model = Models.load(dir);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static String heldOut(int chars) {
        String all = String.join("\n", BookCorpus.load().heldOutTexts());
        return all.substring(0, Math.min(all.length(), chars));
    }

    /** Random dictionary words: text the model finds surprising. */
    static String randomWords(int n, long seed) {
        List<String> words = WordList.read(dir.resolve(WordList.FILE)).words();
        Random rng = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(words.get(rng.nextInt(words.size())));
        }
        return sb.toString();
    }

    static List<String> texts() {
        return List.of("", "a", " ", "Emma.", "naïve café — 東京 🙂 ünïcödé\u0000\r\n\ttabs", "\n\n\n",
                "<s> special-looking </s> <unk>", heldOut(400), randomWords(40, 7));
    }

    static void roundTrip(Codec codec, String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        Codec.Compressed c = codec.compress(data);
        assertArrayEquals(data, codec.decompress(c.bytes(), "test.cram"), "round trip of " + text);
        assertEquals(c.bytes().length, c.breakdown().total());
        assertEquals(data.length, c.container().header().originalBytes());
    }

    @Test
    void roundTripsWithoutMemory() {
        try (Codec codec = Codec.builder(model, dir).optMem(0).build()) {
            for (String t : texts()) {
                roundTrip(codec, t);
            }
        }
    }

    @Test
    void roundTripsWithMemoryAtEveryKindOfPrecision() {
        for (Precision p : List.of(Precision.FLOAT32, Precision.BFLOAT16, Precision.FLOAT16, Precision.uniform(8),
                Precision.uniform(2))) {
            try (Codec codec = Codec.builder(model, dir).optMem(1).optPrecision(p).optSteps(3).build()) {
                for (String t : List.of("", "a", "naïve café — 東京 🙂", heldOut(200), randomWords(15, 3))) {
                    roundTrip(codec, t);
                }
            }
        }
        try (Codec codec = Codec.builder(model, dir).optMem(3).optSteps(2).build()) {
            roundTrip(codec, heldOut(150));
        }
    }

    @Test
    void longTextsAreChunkedToTheModelsPositions() {
        String text = heldOut(4200); // ~1300 tokens > 1024 positions
        try (Codec alone = Codec.builder(model, dir).optMem(0).build();
                Codec crammed = Codec.builder(model, dir).optMem(2).optSteps(1).build()) {
            assertEquals(1023, alone.chunkCapacity()); // 1024 positions - BOS
            assertEquals(1021, crammed.chunkCapacity());
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            Codec.Compressed c = alone.compress(data);
            int tokens = c.container().header().tokens();
            assertTrue(tokens > 1023, tokens + " tokens");
            assertEquals((tokens + 1022) / 1023, c.container().chunks().size());
            assertArrayEquals(data, alone.decompress(c.bytes(), "long.cram"));
            // the model codes held-out book text far below 8 bits per byte
            assertTrue(8.0 * c.bytes().length / data.length < 3.0, 8.0 * c.bytes().length / data.length + " bits/byte");
            Codec.Compressed m = crammed.compress(data);
            assertEquals((tokens + 1020) / 1021, m.container().chunks().size());
            assertArrayEquals(data, crammed.decompress(m.bytes(), "long.cram"));
        }
    }

    /**
     * Issue 22 item 9: by default a memory is crammed only where it can pay. On the default model one vector
     * holds ~20 bits and costs 1600 at int8, so every chunk is coded by the model alone, the probe is the only
     * cramming, and the file is no larger than the model-alone coding (same chunks, same header).
     */
    @Test
    void autoSkipsAMemoryThatCannotPayAndSaysWhy() {
        byte[] data = heldOut(1500).getBytes(StandardCharsets.UTF_8);
        try (Codec auto = Codec.builder(model, dir).optSteps(30).build();
                Codec alone = Codec.builder(model, dir).optMem(0).build()) {
            Codec.Compressed a = auto.compress(data);
            Codec.Compressed z = alone.compress(data);
            assertTrue(a.decisions().stream().allMatch(d -> d.memoryVectors() == 0
                    && d.reason().contains("can save at most")), a.decisions().toString());
            assertTrue(a.bytes().length <= z.bytes().length,
                    a.bytes().length + " bytes auto, " + z.bytes().length + " model alone");
            assertArrayEquals(data, auto.decompress(a.bytes(), "auto.cram"));
        }
    }

    /** Issue 22 item 1: a container whose decode differs from the input is never returned (nothing is written). */
    @Test
    void aContainerThatDoesNotDecodeIsNeverReturned() {
        byte[] data = heldOut(200).getBytes(StandardCharsets.UTF_8);
        int tokens;
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            tokens = tok.encode(heldOut(200), false).length;
        }
        // the encoder's calls see the real logits, the decode check's calls noisy ones
        try (Codec codec = Codec.builder(new FlakyModel(model, tokens), dir).optMem(0).build()) {
            BitsException e = assertThrows(BitsException.class, () -> codec.compress(data));
            assertTrue(e.getMessage().contains("decode check"), e.getMessage());
        }
    }

    /**
     * Issue 22 item 2: containers of format version 1 (before the coding path was recorded) still decode, under the
     * MKL they were written with; under a preloaded OpenBLAS the logits may round otherwise (on this machine they do),
     * and a failed checksum then says to decode under MKL.
     */
    @Test
    void versionOneContainersStillDecode() throws IOException {
        byte[] v1 = Files.readAllBytes(Path.of("src/test/resources/bits/v1-k1.cram"));
        assertEquals(1, v1[4], "a version-1 fixture");
        assertEquals(null, Container.read(v1, "v1.cram").header().path());
        try (Codec codec = Codec.builder(model, dir).build()) {
            byte[] text = Files.readAllBytes(Path.of("src/test/resources/bits/v1.txt"));
            if (BlasThreads.openBlas()) {
                try {
                    assertArrayEquals(text, codec.decompress(v1, "v1.cram"));
                } catch (BitsException e) {
                    assertTrue(e.getMessage().contains("CRAMLAB_BLAS=mkl"), e.getMessage());
                }
            } else {
                assertArrayEquals(text, codec.decompress(v1, "v1.cram"));
            }
        }
    }

    @Test
    void codeLengthIsTheTablesIdealCodeLength() {
        try (Codec codec = Codec.builder(model, dir).optMem(0).build()) {
            Codec.Compressed c = codec.compress(heldOut(2000).getBytes(StandardCharsets.UTF_8));
            double coded = 8.0 * c.container().chunks().get(0).coded().length;
            assertTrue(coded >= c.idealTokenBits() - 1 && coded <= c.idealTokenBits() + 10,
                    coded + " bits coded, ideal " + c.idealTokenBits());
        }
    }

    @Test
    void refusesInputItCannotRoundTrip() {
        try (Codec codec = Codec.builder(model, dir).optMem(0).build()) {
            BitsException e = assertThrows(BitsException.class, () -> codec.compress(new byte[] {'a', (byte) 0xff, 'b'}));
            assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
        }
    }

    @Test
    void damagedContainersAreClearErrors() {
        try (Codec codec = Codec.builder(model, dir).optMem(1).optSteps(2).build()) {
            byte[] good = codec.compress(heldOut(300).getBytes(StandardCharsets.UTF_8)).bytes();

            byte[] flipped = good.clone();
            flipped[good.length / 2] ^= 0x10;
            assertMessage(codec, flipped, "corrupted");

            assertMessage(codec, Arrays.copyOf(good, good.length - 7), "truncated");
            assertMessage(codec, Arrays.copyOf(good, 6), "not a cramlab container");
            assertMessage(codec, "plain text, not a container".getBytes(StandardCharsets.UTF_8), "not a cramlab container");
            byte[] longer = Arrays.copyOf(good, good.length + 3);
            assertMessage(codec, longer, "after its end");
            byte[] version = good.clone();
            version[4] = 9;
            assertMessage(codec, version, "format version 9");

            // damage the coded tokens but keep the CRC valid: the SHA-256 check catches it, never wrong text
            Container c = Container.read(good, "good");
            Container.Chunk ch = c.chunks().get(0);
            byte[] coded = ch.coded().clone();
            coded[coded.length / 2] ^= 0x01;
            Container forged = new Container(c.header(), List.of(new Container.Chunk(ch.tokens(), ch.memory(), coded)));
            assertMessage(codec, forged.write(), "does not match the original's SHA-256");
        }
    }

    @Test
    void theWrongModelIsAClearError(@TempDir Path tmp) throws IOException {
        // the same weights under a different tokenizer_config.json: a different model as far as the hash goes
        Path other = tmp.resolve("other-model");
        Files.createDirectories(other);
        for (String f : DefaultModel.FILES) {
            if (Files.exists(dir.resolve(f))) {
                Files.copy(dir.resolve(f), other.resolve(f));
            }
        }
        Files.writeString(other.resolve("config.json"), Files.readString(dir.resolve("config.json")) + "\n");
        byte[] cram;
        try (Codec codec = Codec.builder(model, dir).optMem(0).build()) {
            cram = codec.compress("Then, he said, he would endeavour to see her".getBytes(StandardCharsets.UTF_8)).bytes();
        }
        try (CausalLM m2 = Models.load(other); Codec codec = Codec.builder(m2, other).optMem(0).build()) {
            BitsException e = assertThrows(BitsException.class, () -> codec.decompress(cram, "x.cram"));
            assertTrue(e.getMessage().contains("not with the loaded model") && e.getMessage().contains("--model"),
                    e.getMessage());
        }
    }

    @Test
    void oneAndTwoTorchThreadsGiveTheSameTables() {
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            int[] ids = tok.encode(heldOut(300), false);
            float[] mem = new float[model.info().hiddenSize()];
            for (int i = 0; i < mem.length; i++) {
                mem[i] = (float) Math.sin(i) * 0.1f;
            }
            int before = JniUtils.getNumThreads();
            List<long[]> hashes = new ArrayList<>();
            try {
                for (int threads : new int[] {1, 2}) {
                    JniUtils.setNumThreads(threads);
                    long[] h = {0};
                    CodingPass.run(model, mem, 1, tok.bosId(), ids.length, (i, t) -> {
                        for (int s = 0; s < t.size(); s++) {
                            h[0] = h[0] * 31 + t.frequency(s);
                        }
                        return ids[i];
                    });
                    hashes.add(h);
                }
            } finally {
                JniUtils.setNumThreads(before);
            }
            assertEquals(hashes.get(0)[0], hashes.get(1)[0], "frequency tables with 1 vs 2 PyTorch threads");
        }
    }

    private static void assertMessage(Codec codec, byte[] data, String expected) {
        BitsException e = assertThrows(BitsException.class, () -> codec.decompress(data, "x.cram"));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("x.cram"), e.getMessage());
    }
}
