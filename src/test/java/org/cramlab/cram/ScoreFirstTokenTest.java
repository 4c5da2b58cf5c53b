package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code scoreFirstToken}: off is the paper's indexing (records and run ids as before); on scores token 0 too. */
class ScoreFirstTokenTest {

    private static final int UNREACHABLE = 11;
    private static ToyLM model;

    @BeforeAll
    static void load() {
        model = new ToyLM(50, 16, 32, 40, 7).withUnreachable(UNREACHABLE);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static final int[] TOKENS = {4, 17, 23, 8, 30, 2};

    private static float[] memory(int k, long seed) {
        Random rng = new Random(seed);
        float[] m = new float[k * 16];
        for (int i = 0; i < m.length; i++) m[i] = (float) rng.nextGaussian();
        return m;
    }

    /** Batch loss/accuracy against a by-hand log-softmax over the positions that predict tokens from..L-1. */
    @Test
    void batchScoresExactlyTheIndexingsTargets() {
        int k = 2;
        float[] mem = memory(k, 1);
        for (boolean first : new boolean[] {false, true}) {
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray m = scope.create(mem, new Shape(k, 16));
                Batch batch = Batch.build(model, List.of(m), List.of(TOKENS), first, scope);
                assertEquals(k + TOKENS.length - 1, batch.embeds().getShape().get(1), "the last token predicts nothing: not fed");
                float[][] got = batch.stats(model.forward(batch.embeds(), batch.mask())).toHost();
                NDArray x = m.expandDims(0).concat(model.embed(scope.create(toLong(TOKENS), new Shape(1, TOKENS.length))), 1);
                float[] logp = model.forward(x, null).logSoftmax(-1).toFloatArray();
                int from = first ? 0 : 1;
                double nll = 0;
                int hits = 0;
                for (int j = from; j < TOKENS.length; j++) {
                    int pos = k - 1 + j; // the position that predicts token j
                    nll -= logp[pos * 50 + TOKENS[j]];
                    int arg = 0;
                    for (int v = 1; v < 50; v++) if (logp[pos * 50 + v] > logp[pos * 50 + arg]) arg = v;
                    hits += arg == TOKENS[j] ? 1 : 0;
                }
                int n = TOKENS.length - from;
                assertEquals(nll / n, got[0][0], 1e-4, "loss, scoreFirst=" + first);
                assertEquals((double) hits / n, got[1][0], 1e-6, "accuracy, scoreFirst=" + first);
            }
        }
    }

    @Test
    void offByDefaultAndAbsentFromRecordsSoRunIdsStay() {
        CramSettings paper = CramSettings.paper();
        assertFalse(paper.scoreFirstToken(), "the paper's indexing is the default");
        assertFalse(paper.asMap().containsKey("score_first_token"), paper.asMap().toString());
        CramSettings.Builder b = CramSettings.builder().optMaxSteps(3).optSeed(3);
        CramTask task = CramTask.ofIds(TOKENS, 1);
        RunRecord plain = new Crammer(model, b.build()).run(task).record();
        RunRecord off = new Crammer(model, b.optScoreFirstToken(false).build()).run(task).record();
        RunRecord on = new Crammer(model, b.optScoreFirstToken(true).build()).run(task).record();
        assertEquals(plain.runId(), off.runId());
        assertEquals(plain.settings().optimiser(), off.settings().optimiser());
        assertEquals(plain.trajectory().losses(), off.trajectory().losses());
        assertEquals(Boolean.TRUE, on.settings().optimiser().get("score_first_token"));
        assertNotEquals(plain.runId(), on.runId(), "another indexing is another run");
    }

    /** The first step scores the init memory: its loss is the batch loss over L targets, not L - 1. */
    @Test
    void engineLossIncludesTheFirstToken() {
        float[] init = memory(1, 5);
        CramTask task = new CramTask("t", "literal", null, TOKENS, 1, init);
        for (boolean first : new boolean[] {false, true}) {
            RunRecord r = new Crammer(model, CramSettings.builder().optMaxSteps(1).optScoreFirstToken(first).build()).run(task).record();
            try (NDManager scope = model.manager().newSubManager()) {
                Batch batch = Batch.build(model, List.of(scope.create(init, new Shape(1, 16))), List.of(TOKENS), first, scope);
                float[][] want = batch.stats(model.forward(batch.embeds(), batch.mask())).toHost();
                assertEquals(want[0][0], r.trajectory().losses().get(0), 1e-5, "scoreFirst=" + first);
            }
        }
    }

    /** A first token the model can never emit: free with the paper's indexing, a sure miss when scored. */
    @Test
    void anUnreachableFirstTokenCountsOnlyWhenScored() {
        int[] tokens = {UNREACHABLE, 17, 23, 8};
        float[] mem = memory(1, 9);
        Greedy given = Greedy.decode(model, mem, 1, tokens, false);
        Greedy scored = Greedy.decode(model, mem, 1, tokens, true);
        assertEquals(tokens.length - 1, given.generated().length);
        assertEquals(tokens.length, scored.generated().length);
        assertEquals(0, scored.prefixLength());
        assertEquals(0, Exactness.horizon(model, mem, 1, tokens, true));
        assertEquals(0, Exactness.encodedTokens(Exactness.horizon(model, mem, 1, tokens, true), true));
        assertTrue(Exactness.margin(model, mem, 1, tokens, true) < -1e3, "the first target's logit is 1e4 below the others");
        assertTrue(Exactness.margin(model, mem, 1, tokens, false) > -1e3, "unscored, the first token costs nothing");
        RunRecord r = new Crammer(model, CramSettings.builder().optMaxSteps(20).optLr(0.1).optScoreFirstToken(true).build())
                .run(CramTask.ofIds(tokens, 1)).record();
        assertTrue(r.metrics().bestAccuracy() <= 0.75 + 1e-9, "token 0 can never be hit: " + r.metrics().bestAccuracy());
        assertFalse(r.metrics().greedyExactMatch());
    }

    /** Progressive stages decode all L tokens when the first is scored: an unreachable first token fails the first stage. */
    @Test
    void progressiveHorizonsCountOnlyDecodedTokens() {
        ProgressiveCrammer.Builder b = ProgressiveCrammer.builder(model)
                .optSettings(CramSettings.builder().optMaxSteps(30).optPatience(30).optLr(0.1).optScoreFirstToken(true).build());
        ProgressiveRecord stuck = b.build().run(List.of(new ProgressiveCrammer.Task("u", "literal", new int[] {UNREACHABLE, 17, 23}, 1, 0)),
                new ProgressiveCrammer.Listener() {}).get(0);
        assertEquals(Boolean.TRUE, stuck.settings().get("score_first_token"));
        assertFalse(stuck.stages().get(0).passed(), "no memory makes the model emit token " + UNREACHABLE);
        assertEquals(0, stuck.horizon());
        assertEquals(0, stuck.encodedTokens());
        ProgressiveRecord given = ProgressiveCrammer.builder(model)
                .optSettings(CramSettings.builder().optMaxSteps(30).optPatience(30).optLr(0.1).build())
                .build().run(List.of(new ProgressiveCrammer.Task("u", "literal", new int[] {UNREACHABLE, 17, 23}, 1, 0)),
                        new ProgressiveCrammer.Listener() {}).get(0);
        assertTrue(given.horizon() >= 1, "the paper's indexing gives token 0");
        assertEquals(given.horizon() - 1, given.encodedTokens());
    }

    @Test
    void encodedTokensDropOnlyTheGivenToken() {
        assertEquals(4, Exactness.encodedTokens(5, false));
        assertEquals(5, Exactness.encodedTokens(5, true));
        assertEquals(0, Exactness.encodedTokens(1, false));
        assertEquals(-1, Exactness.encodedTokens(-1, true));
    }

    @Test
    void scoringTheFirstTokenNeedsAMemory() {
        try (NDManager scope = model.manager().newSubManager()) {
            CramException e = assertThrows(CramException.class, () -> Batch.build(model, null, List.of(TOKENS), true, scope));
            assertTrue(e.getMessage().contains("only be scored after a memory"), e.getMessage());
        }
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
