package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The fused blocks against the explicit ops on the same inputs: values and the gradient that reaches the
 * input; the archive's checksum, fallback and errors; trainable weights still get their gradient.
 */
class FusedBlocksTest {

    private static final float EPS = 1e-5f;

    @Test
    void theCommittedArchiveMatchesItsChecksum() throws Exception {
        try (InputStream in = FusedBlocksTest.class.getResourceAsStream(FusedBlocks.ARCHIVE)) {
            assertNotNull(in, FusedBlocks.ARCHIVE);
            assertEquals(FusedBlocks.ARCHIVE_SHA256,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())));
        }
    }

    @Test
    void eachBlockMatchesTheExplicitOpsAndTheirGradient() {
        FusedBlocks fused = FusedBlocks.forCall(BlockPath.FUSED, Device.cpu(), 1);
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            int d = 16;
            int ff = 40;
            NDArray h = m.randomNormal(new Shape(2, 5, d));
            NDArray w = m.randomNormal(new Shape(d));
            NDArray gate = m.randomNormal(new Shape(ff, d));
            NDArray up = m.randomNormal(new Shape(ff, d));
            NDArray down = m.randomNormal(new Shape(d, ff));
            NDArray eps = m.create(EPS);
            compare(h, x -> fused.rmsNorm(x, w, eps), x -> Ops.rmsNorm(x, w, EPS), "rms_norm");
            compare(h, x -> fused.swiGlu(x, gate, up, down), x -> explicitMlp(x, gate, up, down), "swiglu");
            compare(h, x -> fused.rmsNormSwiGluResidual(x, w, eps, gate, up, down),
                    x -> x.add(explicitMlp(Ops.rmsNorm(x, w, EPS), gate, up, down)), "norm + swiglu + residual");
        }
    }

    private static NDArray explicitMlp(NDArray x, NDArray gate, NDArray up, NDArray down) {
        return Ops.linear(Ops.silu(Ops.linear(x, gate, null)).mul(Ops.linear(x, up, null)), down, null);
    }

    private interface Block extends java.util.function.UnaryOperator<NDArray> {}

    private static void compare(NDArray input, Block fused, Block explicit, String what) {
        BiFunction<Block, NDArray[], NDArray> run = (block, grad) -> {
            NDArray x = input.duplicate();
            x.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = block.apply(x);
                gc.backward(y.square().sum());
            }
            grad[0] = x.getGradient().duplicate();
            return y;
        };
        NDArray[] fusedGrad = new NDArray[1];
        NDArray[] explicitGrad = new NDArray[1];
        NDArray a = run.apply(fused, fusedGrad);
        NDArray b = run.apply(explicit, explicitGrad);
        assertEquals(b.getShape(), a.getShape(), what);
        float scale = b.abs().max().getFloat();
        float diff = Golden.maxAbsDiff(a, b);
        assertTrue(diff <= 1e-5f * scale, what + ": values differ by " + diff + " of " + scale);
        float gScale = explicitGrad[0].abs().max().getFloat();
        float gDiff = Golden.maxAbsDiff(fusedGrad[0], explicitGrad[0]);
        assertTrue(gScale > 0 && gDiff <= 1e-4f * gScale, what + ": gradients differ by " + gDiff + " of " + gScale);
    }

    @Test
    void float16StaysFloat16() {
        FusedBlocks fused = FusedBlocks.forCall(BlockPath.FUSED, Device.cpu(), 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray h = m.randomNormal(new Shape(1, 3, 8)).toType(DataType.FLOAT16, false);
            NDArray w = m.ones(new Shape(8)).toType(DataType.FLOAT16, false);
            NDArray gate = m.randomNormal(new Shape(12, 8)).toType(DataType.FLOAT16, false);
            NDArray up = m.randomNormal(new Shape(12, 8)).toType(DataType.FLOAT16, false);
            NDArray down = m.randomNormal(new Shape(8, 12)).toType(DataType.FLOAT16, false);
            NDArray out = fused.rmsNormSwiGluResidual(h, w, m.create(EPS), gate, up, down);
            assertEquals(DataType.FLOAT16, out.getDataType());
            NDArray ref = h.toType(DataType.FLOAT32, false).add(explicitMlp(Ops.rmsNorm(h.toType(DataType.FLOAT32, false),
                    w.toType(DataType.FLOAT32, false), EPS), gate.toType(DataType.FLOAT32, false),
                    up.toType(DataType.FLOAT32, false), down.toType(DataType.FLOAT32, false)));
            float scale = ref.abs().max().getFloat();
            assertTrue(Golden.maxAbsDiff(out.toType(DataType.FLOAT32, false), ref) <= 2e-2f * scale, "float16 rounding only");
        }
    }

    @Test
    void aDamagedArchiveFailsClearlyWhenForcedAndFallsBackOnAuto() {
        TorchScriptModule.Archive bad = new TorchScriptModule.Archive(FusedBlocks.ARCHIVE, "0".repeat(64), "fused-blocks",
                "src/main/python/make_fused_blocks.py");
        ModelException e = assertThrows(ModelException.class,
                () -> FusedBlocks.forCall(BlockPath.FUSED, Device.cpu(), 64, bad));
        assertTrue(e.getMessage().contains(FusedBlocks.ARCHIVE) && e.getMessage().contains("SHA-256")
                && e.getMessage().contains("make_fused_blocks.py"), e.getMessage());
        assertNull(FusedBlocks.forCall(BlockPath.AUTO, Device.cpu(), 1 << 20, bad), "AUTO falls back to the explicit ops");
        assertNull(FusedBlocks.forCall(BlockPath.EXPLICIT, Device.cpu(), 1 << 20), "EXPLICIT never loads the module");
        assertNotNull(FusedBlocks.forCall(BlockPath.AUTO, Device.cpu(), 1 << 20), "AUTO takes the committed module");
        assertNull(FusedBlocks.forCall(BlockPath.AUTO, Device.cpu(), FusedBlocks.CPU_CROSSOVER - 1), "short calls: explicit");
        assertNotNull(FusedBlocks.forCall(BlockPath.AUTO, Device.cpu(), FusedBlocks.CPU_CROSSOVER), "from the cross-over: fused");
    }

    @Test
    void badPathNamesFailClearly() {
        assertEquals(BlockPath.FUSED, BlockPath.parse(" Fused "));
        ModelException e = assertThrows(ModelException.class, () -> BlockPath.parse("fast"));
        assertTrue(e.getMessage().contains("'fast'") && e.getMessage().contains("auto, explicit, fused or layer"), e.getMessage());
    }

    /** Fused blocks get weight views without a gradient, so a trainable model must run (and train) explicitly. */
    @Test
    void trainableWeightsGetTheSameGradientOnEveryBlockPath() {
        NDArray[] grads = new NDArray[2];
        try (NDManager m = NDManager.newBaseManager()) {
            for (BlockPath path : new BlockPath[] {BlockPath.EXPLICIT, BlockPath.FUSED}) {
                try (CausalLM model = Models.load(Golden.dir("llama"), LoadOptions.builder().optBlocks(path).build())) {
                    model.setTrainable(true);
                    NDArray gate = model.parameters().stream().filter(p -> p.getName().endsWith("0.mlp.gate_proj.weight"))
                            .findFirst().orElseThrow();
                    NDArray ids = m.create(new long[] {3, 1, 4, 1, 5, 9, 2, 6}, new Shape(1, 8));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(Golden.shiftedCrossEntropy(model.forward(model.embed(ids), null), ids));
                    }
                    NDArray g = gate.getGradient();
                    grads[path.ordinal() - 1] = g.toType(DataType.FLOAT32, true);
                    grads[path.ordinal() - 1].attach(m);
                    model.setTrainable(false);
                }
            }
            float scale = grads[0].abs().max().getFloat();
            assertTrue(scale > 0, "the gate weight gets a gradient");
            assertFalse(Golden.maxAbsDiff(grads[0], grads[1]) > 1e-5f * scale, "same gradient on both block paths");
        }
    }
}
