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
}
