package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.Crammer;
import org.cramlab.cram.Greedy;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Test;

/** The precision curve of a solved memory on the default model, and the straight-through re-optimisation. */
class PrecisionSweepTest {

    @Test
    void aSolvedMemoryDecodesAtHighPrecisionAndTheCurveIsConsistent() {
        Path dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir)) {
            int[] ids = tok.encode("Then, he said, he would endeavour to see her", true, 4);
            CramResult solved = new Crammer(model, CramSettings.builder().optMaxSteps(600).build())
                    .run(CramTask.ofIds(ids, 1));
            assertEquals(1.0, solved.record().metrics().bestAccuracy(), 0, "the text must be solved first");
            int d = model.info().hiddenSize();
            List<PrecisionSweep.Point> pts = PrecisionSweep.sweep(model, solved.bestMemory(), 1, ids, Precision.curve());
            assertEquals(Precision.curve().size(), pts.size());
            assertTrue(pts.get(0).exact(), "float32: the memory as solved decodes exactly");
            for (PrecisionSweep.Point p : pts) {
                // each point is what an independent greedy decode of the stored memory gives
                float[] stored = QuantisedMemory.roundTrip(solved.bestMemory(), 1, d, p.precision());
                assertEquals(Greedy.decode(model, stored, 1, ids).exactMatch(), p.exact(), p.precision().toString());
                assertEquals(p.precision().bitsPerVector(d), p.memoryBits());
            }
            Integer fewest = PrecisionSweep.fewestBits(pts);
            if (fewest != null) {
                for (PrecisionSweep.Point p : pts) {
                    if (p.precision().kind() == Precision.Kind.UNIFORM && p.bitsPerDimension() >= fewest) {
                        assertTrue(p.exact(), "exact from 8 bits down to the fewest, " + p.precision());
                    }
                }
            }
            // straight-through: the returned point is again an independent greedy decode of the stored result
            PrecisionSweep.Point two = PrecisionSweep.quantisationAware(model, solved.bestMemory(), 1, ids,
                    Precision.uniform(2), 30, 1e-2);
            assertTrue(two.qatSteps() <= 30);
            if (!pts.get(pts.size() - 1).exact()) {
                assertTrue(two.qatSteps() > 0, "int2 failed, so re-optimisation ran");
            }
        }
    }

    @Test
    void fewestBitsNeedsEveryHigherPrecisionExact() {
        List<PrecisionSweep.Point> pts = List.of(
                new PrecisionSweep.Point(Precision.uniform(8), 0, true, 3, 0),
                new PrecisionSweep.Point(Precision.uniform(6), 0, true, 3, 0),
                new PrecisionSweep.Point(Precision.uniform(4), 0, false, 1, 0),
                new PrecisionSweep.Point(Precision.uniform(2), 0, true, 3, 0)); // a lucky low b does not count
        assertEquals(6, PrecisionSweep.fewestBits(pts));
        assertNull(PrecisionSweep.fewestBits(List.of(new PrecisionSweep.Point(Precision.uniform(8), 0, false, 0, 0))));
    }

    @Test
    void theStraightThroughGradientPointsDownhill() {
        Path dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir)) {
            int[] ids = tok.encode("His heart was now open to Elinor", true, 6);
            int d = model.info().hiddenSize();
            float[] m = new float[d];
            for (int i = 0; i < d; i++) {
                m[i] = (float) Math.cos(i) * 0.05f;
            }
            float[] g = PrecisionSweep.gradient(model, m, 1, ids);
            double norm = 0;
            for (float x : g) {
                norm += x * x;
            }
            assertTrue(norm > 0, "a gradient reaches the memory");
            // a small step against the gradient lowers the loss: the directional derivative is -|g|^2
            float[] step = m.clone();
            double eps = 1e-2 / Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                step[i] -= (float) (eps * g[i]);
            }
            double before = loss(model, m, ids);
            double after = loss(model, step, ids);
            assertTrue(after < before, "loss " + before + " -> " + after);
            assertEquals(-Math.sqrt(norm) * 1e-2, after - before, 0.3 * Math.sqrt(norm) * 1e-2);
        }
    }

    /** Mean shifted cross-entropy via the coding pass's tables' parallel counterpart: an independent path. */
    private static double loss(CausalLM model, float[] memory, int[] ids) {
        try (var scope = model.manager().newSubManager()) {
            var mem = scope.create(memory, new ai.djl.ndarray.types.Shape(1, 1, model.info().hiddenSize()));
            long[] l = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                l[i] = ids[i];
            }
            var x = mem.concat(model.embed(scope.create(l, new ai.djl.ndarray.types.Shape(1, ids.length))), 1);
            float[] logits = model.forward(x, null).toFloatArray();
            int v = model.info().vocabSize();
            double total = 0;
            for (int i = 1; i < ids.length; i++) {
                int row = i * v; // position K + i - 1 = i predicts token i
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s < v; s++) {
                    max = Math.max(max, logits[row + s]);
                }
                double z = 0;
                for (int s = 0; s < v; s++) {
                    z += Math.exp(logits[row + s] - max);
                }
                total += -(logits[row + ids[i]] - max - Math.log(z));
            }
            return total / (ids.length - 1);
        }
    }
}
