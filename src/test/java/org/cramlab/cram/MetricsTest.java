package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cramlab.run.CapacitySearch;
import org.cramlab.run.Profile;
import org.cramlab.run.TextSpec;
import org.cramlab.report.Aggregates;
import org.junit.jupiter.api.Test;

/** Metric formulas and the capacity rule against the paper's published numbers (reference section 1.3, Table B). */
class MetricsTest {

    @Test
    void theoreticalCapacityMatchesTableB() {
        // Table B: L_max = 16 d / log2|V| (rounded in the table)
        assertEquals(3862.2, Metrics.theoreticalCapacity(4096, 128256), 0.05); // Llama-3.1-8B
        assertEquals(787, Metrics.theoreticalCapacity(768, 50304), 0.5); // Pythia-160M
        assertEquals(1049, Metrics.theoreticalCapacity(1024, 50304), 0.5); // Pythia-410M
        assertEquals(2190, Metrics.theoreticalCapacity(2048, 32000), 0.5); // Sheared-LLaMA-1.3B
        assertEquals(1931, Metrics.theoreticalCapacity(2048, 128256), 0.5); // Llama-3.2-1B
    }

    @Test
    void utilisationMatchesTheCsv() {
        // Llama-3.1-8B PG-19: 1094.1 / 3862.2 = 0.2833; Pythia-160M: 70.9 / 787 = 0.090
        assertEquals(0.2833, Metrics.utilisation(1094.1, 4096, 128256), 5e-5);
        assertEquals(0.090, Metrics.utilisation(70.9, 768, 50304), 5e-4);
    }

    @Test
    void gainsAndCompression() {
        // original loss 3.0 and best loss 0.02 nats/token over L = 100: CE 300 and 2, gain 298 nats
        assertEquals(300.0, Metrics.textCe(3.0, 100), 1e-12);
        assertEquals(298.0, Metrics.informationGain(3.0, 0.02, 100), 1e-9);
        assertEquals(298.0 / Math.log(2), Metrics.bits(298.0), 1e-9);
        assertEquals(60.0, Metrics.tokenGain(0.95, 0.35, 100), 1e-9);
        assertEquals(1568.0, Metrics.compressionRatio(1568, 1), 0);
        assertEquals(448.0, Metrics.compressionRatio(7168, 16), 0);
    }

    /** The paper's rule: largest grid length with mean best accuracy >= 0.99, even past a failing one. */
    @Test
    void decodingCapacityRule() {
        List<RunRecord> records = new ArrayList<>();
        // L=64: mean 0.995 passes; L=80: mean 0.985 fails; L=96: mean 0.99 passes (exactly); L=128 fails
        addRuns(records, 64, 1.0, 0.99);
        addRuns(records, 80, 1.0, 0.97);
        addRuns(records, 96, 0.99, 0.99);
        addRuns(records, 128, 0.9, 0.8);
        List<Aggregates.LengthStats> stats = Aggregates.perLength(records);
        assertEquals(List.of(64, 80, 96, 128), stats.stream().map(Aggregates.LengthStats::length).toList());
        assertEquals(0.995, stats.get(0).meanBestAccuracy(), 1e-12);
        List<Integer> paperGrid = Profile.paper().lengths();
        assertEquals(96, Aggregates.decodingCapacity(records, paperGrid).getAsInt());
        // a length outside the grid (a bisection length) never sets the grid capacity
        assertEquals(64, Aggregates.decodingCapacity(records, List.of(64, 80, 128)).getAsInt());
        assertEquals(0.985, Aggregates.meanAccuracyByLength(records).get(80), 1e-12);

        CapacitySearch search = CapacitySearch.builder("/m", "m", List.of(new CapacitySearch.Candidate(
                new TextSpec("csv", "t.csv", 0, 0), 4096))).optLengths(paperGrid).build();
        CapacitySearch.Result r = search.result(records);
        assertEquals(96, r.decodingCapacity());
        // saturated = best_accuracy <= 0.99: runs at 0.99, 0.97, 0.99, 0.99, 0.9, 0.8 -> 6 runs
        assertEquals(6, r.saturatedRuns());
        double meanGain = (gain(96, 0.99) * 2 + gain(64, 0.99) + gain(80, 0.97) + gain(128, 0.9) + gain(128, 0.8)) / 6;
        assertEquals(meanGain, r.meanTokenGainSaturated(), 1e-9);
        assertEquals(meanGain / Metrics.theoreticalCapacity(768, 50304), r.utilisation(), 1e-12);
    }

    private static double gain(int length, double acc) {
        return (acc - 0.3) * length;
    }

    private static void addRuns(List<RunRecord> out, int length, double... accs) {
        for (double a : accs) {
            out.add(record(length, a));
        }
    }

    /** A synthetic record: original accuracy 0.3, original loss 3, best loss 0.1 (only the fields the metrics read matter). */
    static RunRecord record(int length, double bestAcc) {
        double tokenGain = Metrics.tokenGain(bestAcc, 0.3, length);
        double info = Metrics.informationGain(3.0, 0.1, length);
        return RunRecord.builder().runId("id").modelId("m").textId("t").textSource("literal").tokenIds(new int[length])
                .length(length).nMem(1).hiddenSize(768).vocabSize(50304).losses(List.of(0.1)).accuracies(List.of(bestAcc))
                .originalLoss(3.0).originalAccuracy(0.3).bestLoss(0.1).bestAccuracy(bestAcc).steps(1).stopReason("max_steps")
                .originalCeNats(3.0 * length).bestCeNats(0.1 * length).informationGainNats(info).tokenGain(tokenGain)
                .dtype("float32").device("cpu()").optimiser(Map.of()).versions(Map.of()).build();
    }
}
