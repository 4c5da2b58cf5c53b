package org.cramlab.report;

import static org.cramlab.run.TestRecords.record;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.cramlab.cram.RunRecord;
import org.junit.jupiter.api.Test;

class AggregatesTest {

    /** One record per (length, accuracy) pair, each on its own text. */
    static List<RunRecord> means(int[] lengths, double[] accuracies) {
        List<RunRecord> rs = new java.util.ArrayList<>();
        for (int i = 0; i < lengths.length; i++) rs.add(record("r" + i, "m", "book:" + i, lengths[i], 1, 0.3, accuracies[i], 30, 1));
        return rs;
    }

    @Test
    void capacityIsLargestLengthWithMeanAtLeast099() {
        assertEquals(16, Aggregates.decodingCapacity(means(new int[] {8, 16, 32}, new double[] {1.0, 0.995, 0.98})).getAsInt());
        // the rule takes the largest passing length even after a failing one (no bisection, no monotonicity)
        assertEquals(32, Aggregates.decodingCapacity(means(new int[] {8, 16, 32}, new double[] {1.0, 0.95, 0.99})).getAsInt());
        assertTrue(Aggregates.decodingCapacity(means(new int[] {8, 16}, new double[] {0.98, 0.5})).isEmpty(),
                "none passing: no capacity (empty, shown as a missing value in tables)");
    }

    @Test
    void capacityAveragesOverTexts() {
        // at 16: texts 1.0 and 0.97 -> mean 0.985 < 0.99, so 8 is the capacity although one text decodes 16
        List<RunRecord> rs = List.of(record("a", "m", "book:0", 8, 1, 0.3, 1.0, 20, 0),
                record("b", "m", "book:1", 8, 1, 0.3, 0.98, 20, 1), record("c", "m", "book:0", 16, 1, 0.3, 1.0, 40, 0),
                record("d", "m", "book:1", 16, 1, 0.3, 0.97, 40, 2));
        assertEquals(0.99, Aggregates.meanAccuracyByLength(rs).get(8), 1e-12);
        assertEquals(8, Aggregates.decodingCapacity(rs).getAsInt());
    }

    @Test
    void meanStdIsPandasSampleStd() {
        MeanStd ms = MeanStd.of(new double[] {1, 2, 3, 4});
        assertEquals(2.5, ms.mean(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3.0), ms.std(), 1e-12); // ddof = 1
        assertEquals("2.5\u00b11.3", ms.toString());
    }

    @Test
    void table1GainsPoolOnlySaturatedRuns() {
        // L=10: solved (excluded). L=20 and L=40 saturated: token gain (acc - orig) * L, info gain orig - best CE.
        List<RunRecord> rs = List.of(record("a", "m", "book:0", 10, 1, 0.2, 1.0, 30, 1),
                record("b", "m", "book:0", 20, 1, 0.2, 0.9, 60, 20), record("c", "m", "book:0", 40, 1, 0.25, 0.6, 120, 76),
                record("d", "m", "book:1", 40, 1, 0.25, 0.99, 120, 70)); // exactly 0.99 counts as saturated (<=)
        MeanStd g = Aggregates.tokenGain(rs);
        assertEquals(3, g.n());
        assertEquals(((0.9 - 0.2) * 20 + (0.6 - 0.25) * 40 + (0.99 - 0.25) * 40) / 3, g.mean(), 1e-9);
        MeanStd i = Aggregates.informationGain(rs);
        assertEquals((40 + 44 + 50) / 3.0, i.mean(), 1e-9);
        assertEquals(MeanStd.of(new double[] {40, 44, 50}).std(), i.std(), 1e-12);
    }

    @Test
    void slopeOneFitInterceptIsMeanDifferenceAndMinusInformationGain() {
        double[] x = {100, 200, 300, 400};
        double[] y = {5, 95, 210, 290};
        double b = Aggregates.slopeOneIntercept(x, y);
        assertEquals((-95 - 105 - 90 - 110) / 4.0, b, 1e-12);
        // b minimises the squared residuals of y = x + b: nudging it either way increases them
        assertTrue(sse(x, y, b) < sse(x, y, b + 1e-3) && sse(x, y, b) < sse(x, y, b - 1e-3));
        List<RunRecord> rs = List.of(record("a", "m", "book:0", 10, 1, 0.2, 0.5, 100, 5),
                record("b", "m", "book:0", 20, 1, 0.2, 0.5, 200, 95), record("c", "m", "book:1", 30, 1, 0.2, 0.5, 300, 210),
                record("d", "m", "book:1", 40, 1, 0.2, 0.5, 400, 290), record("e", "m", "book:2", 8, 1, 0.2, 1.0, 50, 1));
        assertEquals(-b, Aggregates.fittedInformationGain(rs), 1e-9, "C_H = -intercept, over saturated runs only");
        assertEquals(Aggregates.informationGain(rs).mean(), Aggregates.fittedInformationGain(rs), 1e-9,
                "the fit's C_H equals Table 1's mean information gain");
    }

    private static double sse(double[] x, double[] y, double b) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += Math.pow(y[i] - x[i] - b, 2);
        return s;
    }

    @Test
    void theoreticalCapacityAndUtilisationMatchPaper() {
        // paper.md section 1.3: Llama-3.1-8B 1094.1 / 3862.2 = 0.2833; Pythia-160M L_max 787
        assertEquals(3862.2, Aggregates.theoreticalCapacity(4096, 128256), 0.05);
        assertEquals(0.2833, Aggregates.utilisation(1094.1, 4096, 128256), 5e-5);
        assertEquals(787, Aggregates.theoreticalCapacity(768, 50304), 0.5);
        assertEquals(8 * 70.9, Aggregates.idealScaling(70.9, 8), 1e-9);
    }
}
