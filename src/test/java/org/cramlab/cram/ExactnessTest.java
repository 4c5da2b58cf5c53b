package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Greedy horizon against a brute-force token-by-token check (a full forward per prefix, no cache),
 * decode margin against its definition and against teacher-forced accuracy, rounding to 16 bits.
 */
class ExactnessTest {

    private static ToyLM toy;

    @BeforeAll
    static void load() {
        toy = new ToyLM(50, 16, 32, 40, 7);
    }

    @AfterAll
    static void close() {
        toy.close();
    }

    /** Full-forward logits [K + L, V] of {@code [memory; embed(tokens)]} on the host. */
    private static float[][] logits(CausalLM model, float[] memory, int k, int[] tokens) {
        int d = model.info().hiddenSize();
        try (NDManager scope = model.manager().newSubManager()) {
            long[] ids = Arrays.stream(tokens).asLongStream().toArray();
            NDArray x = scope.create(memory, new Shape(1, k, d))
                    .concat(model.embed(scope.create(ids, new Shape(1, tokens.length))), 1);
            NDArray out = model.forward(x, null);
            int t = (int) out.getShape().get(1);
            int v = (int) out.getShape().get(2);
            float[] flat = out.toFloatArray();
            float[][] rows = new float[t][];
            for (int i = 0; i < t; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
            }
            return rows;
        }
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[best]) best = j;
        }
        return best;
    }

    /** Token by token: does [memory; t_1..t_i] (full forward, no cache) predict t_{i+1}? Count until it does not. */
    static int bruteForceHorizon(CausalLM model, float[] memory, int k, int[] tokens) {
        for (int i = 1; i < tokens.length; i++) {
            float[][] rows = logits(model, memory, k, Arrays.copyOf(tokens, i));
            if (argmax(rows[rows.length - 1]) != tokens[i]) {
                return i;
            }
        }
        return tokens.length;
    }

    /** The margin's definition on host logits: min over scored positions of correct minus best other. */
    static double bruteForceMargin(CausalLM model, float[] memory, int k, int[] tokens) {
        float[][] rows = logits(model, memory, k, tokens);
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i + 1 < tokens.length; i++) {
            float[] row = rows[k + i];
            int correct = tokens[i + 1];
            double other = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < row.length; j++) {
                if (j != correct) other = Math.max(other, row[j]);
            }
            min = Math.min(min, row[correct] - other);
        }
        return min;
    }

    /**
     * Texts whose greedy horizon is known by construction: the memory's own greedy continuation for
     * {@code keep} tokens, then a token it does not predict.
     */
    private static int[] divergingText(CausalLM model, float[] memory, int k, int first, int keep, int length) {
        int[] probe = new int[length];
        probe[0] = first;
        int[] generated = Greedy.decode(model, memory, k, probe).generated();
        int[] text = new int[length];
        text[0] = first;
        for (int i = 1; i < length; i++) {
            text[i] = i <= keep ? generated[i - 1] : (generated[i - 1] + 1 + i) % model.info().vocabSize();
        }
        if (keep + 1 < length) {
            text[keep + 1] = (generated[keep] + 1) % model.info().vocabSize(); // certainly not the greedy token
        }
        return text;
    }

    @Test
    void horizonEqualsBruteForceTokenByTokenGreedyCheck() {
        int d = toy.info().hiddenSize();
        for (int keep = 0; keep <= 9; keep += 3) {
            for (int seed = 0; seed < 3; seed++) {
                float[] memory = Memory.random(seed, 2, d, 1.0);
                int[] text = divergingText(toy, memory, 2, 5 + seed, keep, 10);
                int brute = bruteForceHorizon(toy, memory, 2, text);
                assertEquals(keep + 1, brute, "construction: keep " + keep + " seed " + seed);
                assertEquals(brute, Exactness.horizon(toy, memory, 2, text), "keep " + keep + " seed " + seed);
            }
        }
    }

    @Test
    void marginMatchesItsDefinitionAndItsSignAgreesWithTeacherForcedAccuracy() {
        int d = toy.info().hiddenSize();
        CramSettings solve = CramSettings.builder().optMaxSteps(400).optLr(0.1).optGreedyCheck(false).optSeed(1).build();
        CramSettings look = CramSettings.builder().optMaxSteps(1).optGreedyCheck(false).build();
        int positive = 0;
        int negative = 0;
        for (int seed = 0; seed < 4; seed++) {
            int[] text = {3 + seed, 17, 4 + seed}; // short enough for the toy to solve with K = 2
            List<float[]> memories = new ArrayList<>();
            memories.add(Memory.random(seed, 2, d, 1.0)); // unsolved: some teacher-forced error
            memories.add(new Crammer(toy, solve).run(new CramTask("t", "literal", null, text, 2, null, (long) seed, null))
                    .bestMemory());
            for (float[] memory : memories) {
                double margin = Exactness.margin(toy, memory, 2, text);
                assertEquals(bruteForceMargin(toy, memory, 2, text), margin, 1e-4);
                // teacher-forced accuracy of this very memory: the first (pre-update) step of a 1-step run
                double accuracy = new Crammer(toy, look).run(CramTask.ofIds(text, 2).withInit(memory))
                        .record().trajectory().accuracies().get(0);
                assertNotEquals(0.0, margin, "no exact ties expected with random float weights");
                assertEquals(margin > 0, accuracy == 1.0, "margin " + margin + " accuracy " + accuracy);
                if (margin > 0) positive++; else negative++;
            }
        }
        assertTrue(positive > 0 && negative > 0, "both signs covered: " + positive + " positive, " + negative + " negative");
    }

    @Test
    void roundingIsNearestSixteenBitValueAndExactnessUsesIt() {
        float[] m = {1.0f, 1.0f + 1f / 1024, 1.0f + 1f / 4096, 3.14159265f, -65504f, 1e-8f};
        float[] bf = Exactness.roundBf16(m);
        float[] hf = Exactness.roundFp16(m, toy);
        assertEquals(1.0f, bf[1], 0); // bf16 has 7 mantissa bits: 1 + 2^-10 rounds to 1
        assertEquals(1.0f + 1f / 1024, hf[1], 0); // fp16 has 10: it is representable
        assertEquals(1.0f, hf[2], 0); // 1 + 2^-12 is not
        assertEquals(3.140625f, bf[3], 0);
        assertEquals(3.140625f, hf[3], 0);
        assertEquals(-65504f, hf[4], 0); // fp16's largest finite value
        assertEquals(0f, hf[5], 0); // below fp16's smallest subnormal (6e-8)

        int d = toy.info().hiddenSize();
        float[] memory = Memory.random(11, 2, d, 1.0);
        int[] text = divergingText(toy, memory, 2, 9, 7, 8); // the whole text is the memory's greedy decode
        Exactness e = Exactness.measure(toy, memory, 2, text);
        assertEquals(8, e.horizon());
        assertTrue(e.margin() > 0, "an exact greedy decode is teacher-forced exact: margin " + e.margin());
        assertEquals(Exactness.horizon(toy, Exactness.roundBf16(memory), 2, text) == 8, e.exactBf16());
        assertEquals(Exactness.horizon(toy, Exactness.roundFp16(memory, toy), 2, text) == 8, e.exactFp16());
    }

    /** On a real Llama (the embedded default model): KV-cache greedy decoding agrees with full forwards. */
    @Test
    void horizonOnTheDefaultModelEqualsBruteForce() {
        var dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir)) {
            int[] text = tok.encode("Then, he said, he would endeavour to see her", true, 6);
            int d = model.info().hiddenSize();
            CramSettings s = CramSettings.builder().optMaxSteps(400).optGreedyCheck(false).build();
            int[] seen = new int[text.length + 1];
            for (int seed = 0; seed < 3; seed++) {
                float[] memory = new Crammer(model, s).run(new CramTask("t", "book", null, text, 1, null, (long) seed, null))
                        .bestMemory();
                int h = Exactness.horizon(model, memory, 1, text);
                assertEquals(bruteForceHorizon(model, memory, 1, text), h, "seed " + seed);
                assertEquals(bruteForceMargin(model, memory, 1, text), Exactness.margin(model, memory, 1, text), 1e-3);
                seen[h]++;
                float[] random = Memory.random(seed, 1, d, Memory.embeddingStd(model));
                assertEquals(bruteForceHorizon(model, random, 1, text), Exactness.horizon(model, random, 1, text));
            }
            assertFalse(seen[1] == 3, "some trained memory decodes past the first token");
        }
    }
}
