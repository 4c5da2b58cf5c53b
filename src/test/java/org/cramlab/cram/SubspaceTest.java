package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Subspace cramming on the tiny golden Llama: the identity basis is the plain run, a rank-k run stays in its span. */
class SubspaceTest {

    private static CausalLM model;
    private static final int[] IDS = {1, 17, 99, 4, 230, 5, 61, 88, 9, 140, 33, 7};

    @BeforeAll
    static void load() {
        model = Models.load(TorchTraceTest.golden("llama"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static CramResult run(Subspace subspace) {
        CramSettings s = CramSettings.builder().optMaxSteps(8).optLr(0.05).optGreedyCheck(false).optSubspace(subspace).build();
        return new BatchedCrammer(model, s).run(List.of(CramTask.ofIds(IDS, 2)), RunListener.NONE).get(0);
    }

    @Test
    void identityBasisOfRankDIsThePlainRunBitForBit() {
        int d = model.info().hiddenSize();
        CramResult plain = run(null);
        CramResult sub = run(Subspace.identity(d, d));
        assertEquals(plain.record().trajectory().losses(), sub.record().trajectory().losses());
        assertArrayEquals(plain.bestMemory(), sub.bestMemory());
        assertEquals(d + ":identity", sub.record().settings().optimiser().get("subspace"));
        assertEquals(null, plain.record().settings().optimiser().get("subspace"));
    }

    @Test
    void aRankKRunMovesOnlyInsideItsBasis() {
        int d = model.info().hiddenSize();
        int k = 3;
        Subspace u = Subspace.random(k, d, 7);
        CramResult plainStart = run(null);
        float[][] last = new float[1][];
        CramSettings s = CramSettings.builder().optMaxSteps(8).optLr(0.05).optGreedyCheck(false).optSubspace(u).build();
        CramResult sub = new BatchedCrammer(model, s).run(List.of(CramTask.ofIds(IDS, 2)), new RunListener() {
            @Override
            public void onUpdate(CramTask task, int step, ai.djl.ndarray.NDArray memory) {
                last[0] = memory.toFloatArray();
            }
        }).get(0);
        float[] init = Memory.random(0, 2, d, Memory.embeddingStd(model)); // the engine's init for seed 0
        float[] mem = last[0];
        double moved = 0;
        for (int row = 0; row < 2; row++) {
            double[] delta = new double[d];
            for (int j = 0; j < d; j++) delta[j] = mem[row * d + j] - init[row * d + j];
            double[] residual = delta.clone();
            for (int r = 0; r < k; r++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += delta[j] * u.basis()[r * d + j];
                for (int j = 0; j < d; j++) residual[j] -= dot * u.basis()[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                moved = Math.max(moved, Math.abs(delta[j]));
                assertEquals(0, residual[j], 1e-5, "row " + row + " dim " + j + ": the update left the subspace");
            }
        }
        assertTrue(moved > 1e-3, "the memory moved");
        assertNotEquals(plainStart.record().runId(), sub.record().runId());
    }

    @Test
    void randomBasisIsOrthonormal() {
        Subspace u = Subspace.random(5, 12, 3);
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 5; b++) {
                double dot = 0;
                for (int j = 0; j < 12; j++) dot += u.basis()[a * 12 + j] * u.basis()[b * 12 + j];
                assertEquals(a == b ? 1 : 0, dot, 1e-6);
            }
        }
    }

    @Test
    void embeddingsBasisSpansTheTopPrincipalDirection() {
        int d = model.info().hiddenSize();
        Subspace u = Subspace.Spec.parse("2:embeddings").build(model, 0);
        assertEquals("embeddings", u.kind());
        assertEquals(2, u.k());
        // the full basis of R^d from the same iteration is orthonormal as well
        Subspace full = Subspace.embeddings(model, d);
        double dot = 0;
        for (int j = 0; j < d; j++) dot += full.basis()[j] * full.basis()[d + j];
        assertEquals(0, dot, 1e-5);
    }

    @Test
    void badRanksAreOneLineErrors() {
        int d = model.info().hiddenSize();
        assertTrue(assertThrows(CramException.class, () -> Subspace.Spec.parse("0")).getMessage().contains(">= 1, got 0"));
        assertTrue(assertThrows(CramException.class, () -> Subspace.Spec.parse("-3:random")).getMessage().contains("got -3"));
        assertTrue(assertThrows(CramException.class, () -> Subspace.Spec.parse("x")).getMessage().contains("'x'"));
        assertTrue(assertThrows(CramException.class, () -> Subspace.Spec.parse("4:sideways")).getMessage().contains("sideways"));
        String tooBig = assertThrows(CramException.class, () -> Subspace.Spec.parse((d + 1) + ":random").build(model, 0))
                .getMessage();
        assertTrue(tooBig.contains("1.." + d) && tooBig.contains("got " + (d + 1)), tooBig);
        assertTrue(assertThrows(CramException.class, () -> Subspace.Spec.parse("2:pca").build(model, 0)).getMessage()
                .contains("solved memories"));
    }
}
