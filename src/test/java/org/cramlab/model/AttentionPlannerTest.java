package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Which path and mask each kind of call gets, and what happens when the archive cannot be loaded. */
class AttentionPlannerTest {

    private static final int MAX = 4096;

    @Test
    void fusedPlansUseIsCausalNoMaskOrOneCombinedBooleanMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            AttentionPlanner p = new AttentionPlanner(AttentionPath.FUSED, m, MAX);
            Attention.Plan full = p.plan(m, 1, 10, 0, null);
            assertTrue(full.isFused());
            assertEquals(FusedAttention.Kind.CAUSAL, full.kind(), "no padding, no cache: sdpa's is_causal");
            assertNull(full.allowed());

            Attention.Plan decode = p.plan(m, 1, 1, 7, null);
            assertEquals(FusedAttention.Kind.FULL, decode.kind(), "one token after a cache sees every key");

            Attention.Plan chunk = p.plan(m, 1, 3, 5, null);
            assertEquals(FusedAttention.Kind.MASKED, chunk.kind(), "is_causal would align top-left: needs a mask");
            assertEquals(new Shape(1, 1, 3, 8), chunk.allowed().getShape());
            assertArrayEquals(new boolean[] {
                true, true, true, true, true, true, false, false,
                true, true, true, true, true, true, true, false,
                true, true, true, true, true, true, true, true}, chunk.allowed().toBooleanArray());

            NDArray keyMask = m.create(new long[] {1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 4));
            Attention.Plan padded = p.plan(m, 2, 4, 0, keyMask);
            assertEquals(FusedAttention.Kind.MASKED, padded.kind(), "sdpa refuses is_causal with a mask");
            assertEquals(DataType.BOOLEAN, padded.allowed().getDataType());
            assertArrayEquals(new boolean[] {
                true, false, false, false, true, true, false, false, true, true, true, false, true, true, true, true,
                true, false, false, false, true, true, false, false, true, true, false, false, true, true, false, false},
                    padded.allowed().toBooleanArray(), "causal AND real key, per row");
        }
    }

    @Test
    void explicitPlansCarryTheAdditiveMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            AttentionPlanner p = new AttentionPlanner(AttentionPath.EXPLICIT, m, MAX);
            Attention.Plan plan = p.plan(m, 1, 2048, 0, null);
            assertFalse(plan.isFused(), "EXPLICIT at any length");
            assertArrayEquals(Attention.causalMask(m, 1, 6, 0, null).toFloatArray(),
                    p.plan(m, 1, 6, 0, null).mask().toFloatArray());
        }
    }

    @Test
    void autoSwitchesToFusedAtTheCrossover() {
        try (NDManager m = NDManager.newBaseManager()) {
            AttentionPlanner p = new AttentionPlanner(AttentionPath.AUTO, m, MAX);
            int c = AttentionPlanner.CPU_CROSSOVER;
            assertFalse(p.plan(m, 1, c - 1, 0, null).isFused(), "below the crossover");
            assertTrue(p.plan(m, 1, c, 0, null).isFused(), "at the crossover");
            assertTrue(p.plan(m, 1, 1, c - 1, null).isFused(), "decoding after a long cache counts the keys");
        }
    }

    @Test
    void aDamagedArchiveFailsClearlyWhenForcedAndFallsBackOnAuto() {
        FusedAttention.Archive bad = new FusedAttention.Archive(FusedAttention.ARCHIVE, "0".repeat(64));
        try (NDManager m = NDManager.newBaseManager()) {
            ModelException e = assertThrows(ModelException.class,
                    () -> new AttentionPlanner(AttentionPath.FUSED, m, MAX, bad).plan(m, 1, 8, 0, null));
            assertTrue(e.getMessage().contains(FusedAttention.ARCHIVE) && e.getMessage().contains("SHA-256")
                    && e.getMessage().contains("0".repeat(64)), e.getMessage());
            Attention.Plan plan = new AttentionPlanner(AttentionPath.AUTO, m, MAX, bad).plan(m, 1, 2048, 0, null);
            assertFalse(plan.isFused(), "AUTO falls back to the explicit path");
            assertEquals(new Shape(1, 1, 2048, 2048), plan.mask().getShape());
        }
    }

    @Test
    void missingOrNonTorchScriptArchivesNameTheArchive() throws Exception {
        ModelException missing = assertThrows(ModelException.class,
                () -> FusedAttention.load("/cramlab/attention/none.pt", "0".repeat(64)));
        assertTrue(missing.getMessage().contains("/cramlab/attention/none.pt") && missing.getMessage().contains("missing"),
                missing.getMessage());
        // right checksum, wrong content: libtorch's own error, with the archive named
        String notAModule = "/cramlab/default-model/config.json";
        ModelException wrong = assertThrows(ModelException.class,
                () -> FusedAttention.load(notAModule, sha256(notAModule)));
        assertTrue(wrong.getMessage().contains(notAModule) && wrong.getMessage().contains("libtorch cannot load"),
                wrong.getMessage());
    }

    @Test
    void theCommittedArchiveMatchesItsChecksum() throws Exception {
        assertEquals(FusedAttention.ARCHIVE_SHA256, sha256(FusedAttention.ARCHIVE));
        assertTrue(FusedAttention.require() == FusedAttention.require(), "loaded once per JVM");
    }

    private static String sha256(String resource) throws IOException, java.security.NoSuchAlgorithmException {
        try (InputStream in = AttentionPlannerTest.class.getResourceAsStream(resource)) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }
}
