package org.cramlab.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fitting, applying, saving and model-binding of learned inits (no model needed). */
class LearnedInitTest {

    static final String SHA = "a".repeat(64);

    static float[] gaussian(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }

    @Test
    void anEncoderFitOnOneTextReproducesItsMemoryForThatText() {
        Random rng = new Random(1);
        float[] feature = gaussian(rng, 8);
        float[] memory = gaussian(rng, 2 * 8);
        LearnedInit enc = LearnedInit.fit(LearnedInit.Kind.ENCODER, SHA, "m", 2, List.of(feature), List.of(memory), 1e-2);
        assertArrayEquals(memory, enc.memoryFor(feature), 1e-6f);
    }

    @Test
    void aNearlyUnregularisedEncoderInterpolatesEveryTrainingText() {
        // n = 3 texts < d = 8 features: ridge with a tiny lambda maps each training feature onto its own memory
        Random rng = new Random(2);
        List<float[]> x = new ArrayList<>();
        List<float[]> y = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            x.add(gaussian(rng, 8));
            y.add(gaussian(rng, 8));
        }
        LearnedInit enc = LearnedInit.fit(LearnedInit.Kind.ENCODER, SHA, "m", 1, x, y, 1e-9);
        for (int i = 0; i < 3; i++) assertArrayEquals(y.get(i), enc.memoryFor(x.get(i)), 1e-3f);
        LearnedInit mean = LearnedInit.fit(LearnedInit.Kind.MEAN, SHA, "m", 1, x, y, 0);
        float avg = (y.get(0)[5] + y.get(1)[5] + y.get(2)[5]) / 3;
        assertEquals(avg, mean.memoryFor(x.get(0))[5], 1e-6f);
    }

    @Test
    void neighbourReturnsTheMemoryOfTheMostSimilarTrainingText() {
        Random rng = new Random(3);
        List<float[]> x = List.of(gaussian(rng, 6), gaussian(rng, 6), gaussian(rng, 6));
        List<float[]> y = List.of(gaussian(rng, 6), gaussian(rng, 6), gaussian(rng, 6));
        LearnedInit nb = LearnedInit.fit(LearnedInit.Kind.NEIGHBOUR, SHA, "m", 1, x, y, 0);
        float[] nearOne = x.get(1).clone();
        nearOne[0] += 0.01f;
        assertArrayEquals(y.get(1), nb.memoryFor(nearOne));
    }

    @Test
    void aSavedInitReadsBackTheSameAndRefusesAnotherModel(@TempDir Path dir) {
        Random rng = new Random(4);
        List<float[]> x = List.of(gaussian(rng, 4), gaussian(rng, 4));
        List<float[]> y = List.of(gaussian(rng, 8), gaussian(rng, 8));
        float[] probe = gaussian(rng, 4);
        for (LearnedInit.Kind kind : LearnedInit.Kind.values()) {
            LearnedInit init = LearnedInit.fit(kind, SHA, "tiny", 2, x, y, 0.1);
            Path f = dir.resolve(kind.label() + ".safetensors");
            init.save(f);
            assertTrue(LearnedInit.isLearnedInit(f));
            LearnedInit back = LearnedInit.read(f);
            assertEquals(kind, back.kind());
            assertEquals(2, back.trainingTexts());
            assertArrayEquals(init.memoryFor(probe), back.memoryFor(probe), 1e-6f);
            back.requireModel(SHA, "tiny", f);
            InitException e = assertThrows(InitException.class, () -> back.requireModel("b".repeat(64), "other", f));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("other")
                    && e.getMessage().contains("tiny") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void aPositionalEncoderKeepsItsFeatureKindThroughItsFile(@TempDir Path dir) {
        Random rng = new Random(5);
        List<float[]> features = new ArrayList<>();
        List<float[]> memories = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            features.add(gaussian(rng, 3 * 4)); // L = 3 positions of d = 4
            memories.add(gaussian(rng, 4));
        }
        LearnedInit init = LearnedInit.fit(LearnedInit.Kind.ENCODER, TextFeature.Kind.POSITIONAL, SHA, "m", 1, features,
                memories, 1e-9);
        assertEquals("encoder (positional) fitted on 3 texts", init.label());
        Path f = dir.resolve("pos.safetensors");
        init.save(f);
        LearnedInit back = LearnedInit.read(f);
        assertEquals(TextFeature.Kind.POSITIONAL, back.feature());
        assertEquals(4, back.d(), "d is the memory width, not the feature width");
        for (int i = 0; i < 3; i++) assertArrayEquals(memories.get(i), back.memoryFor(features.get(i)), 1e-3f);
        InitException narrow = assertThrows(InitException.class, () -> back.memoryFor(new float[4]));
        assertTrue(narrow.getMessage().contains("width 4, the init expects 12"), narrow.getMessage());
        InitException mixed = assertThrows(InitException.class, () -> LearnedInit.fit(LearnedInit.Kind.ENCODER,
                TextFeature.Kind.POSITIONAL, SHA, "m", 1, List.of(new float[8], new float[12]), memories.subList(0, 2), 0.01));
        assertTrue(mixed.getMessage().contains("positional features need texts of one length"), mixed.getMessage());
    }
}
