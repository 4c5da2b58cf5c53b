package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The exactness fields on run records: measured with the greedy check, null (and absent) without, old records load. */
class RecordExactnessTest {

    private static ToyLM model;

    @BeforeAll
    static void load() {
        model = new ToyLM(50, 16, 32, 40, 7);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void everyCheckedRunRecordsHorizonMarginAndSixteenBitExactness() {
        CramSettings s = CramSettings.builder().optMaxSteps(150).optLr(0.1).optBatchSize(4).build();
        List<CramTask> tasks = List.of(
                CramTask.ofIds(new int[] {3, 17, 4}, 2), // solvable by the toy
                CramTask.ofIds(new int[] {5, 9, 33, 12, 40, 2, 8, 19}, 2)); // not within 150 steps
        boolean solved = false;
        boolean unsolved = false;
        for (CramResult res : new BatchedCrammer(model, s).run(tasks, RunListener.NONE)) {
            RunRecord.Metrics m = res.record().metrics();
            assertEquals(m.greedyPrefixLength() + 1, m.greedyHorizon());
            Exactness e = Exactness.measure(model, res.bestMemory(), 2, res.record().text().tokenIds());
            assertEquals(e.margin(), m.decodeMargin(), 1e-6);
            assertEquals(e.exactBf16(), m.greedyExactBf16());
            assertEquals(e.exactFp16(), m.greedyExactFp16());
            // the best memory is the one that scored best_accuracy: the margin's sign says whether that was 1.0
            assertEquals(m.bestAccuracy() == 1.0, m.decodeMargin() > 0, "margin " + m.decodeMargin());
            solved |= m.bestAccuracy() == 1.0;
            unsolved |= m.bestAccuracy() < 1.0;
            RunRecord back = RunRecord.fromJson(res.record().toJson());
            assertEquals(m, back.metrics());
        }
        assertTrue(solved && unsolved, "both outcomes covered");
    }

    @Test
    void withoutTheGreedyCheckTheFieldsAreNullAndAbsentFromTheJson() {
        CramSettings s = CramSettings.builder().optMaxSteps(5).optGreedyCheck(false).build();
        RunRecord r = new Crammer(model, s).run(CramTask.ofIds(new int[] {3, 17, 4}, 2)).record();
        assertNull(r.metrics().greedyHorizon());
        assertNull(r.metrics().decodeMargin());
        assertNull(r.metrics().greedyExactBf16());
        assertFalse(r.toJson().contains("decode_margin"), r.toJson());
    }

    @Test
    void recordsWrittenBeforeTheFieldsExistedLoadWithThemNull() throws Exception {
        String line = Files.readAllLines(RunRecordFormatTest.OLD).get(0);
        assertFalse(line.contains("greedy_horizon"));
        RunRecord old = RunRecord.fromJson(line);
        assertNotNull(old.runId());
        assertNull(old.metrics().greedyHorizon());
        assertNull(old.metrics().decodeMargin());
        assertNull(old.metrics().greedyExactBf16());
        assertNull(old.metrics().greedyExactFp16());
    }
}
