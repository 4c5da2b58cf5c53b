package org.cramlab.experiment;

import java.util.List;
import java.util.Map;
import org.cramlab.cram.RunRecord;

/** Synthetic run records for tests: metrics given, derived fields computed by the paper's definitions. */
public final class TestRecords {
    private TestRecords() {}

    /** A record with CE given in nats (totals, i.e. already times L) and accuracies as fractions. */
    public static RunRecord record(String runId, String model, String textId, int length, int nMem,
            double originalAccuracy, double bestAccuracy, double originalCeNats, double bestCeNats) {
        String source = textId.substring(0, textId.indexOf(':'));
        double ln2 = Math.log(2);
        return new RunRecord(runId, model, textId, source, "text " + textId, new int[] {1, 2, 3}, length, nMem, 7L,
                64, 4096, List.of(originalCeNats / length, bestCeNats / length), List.of(originalAccuracy, bestAccuracy),
                originalCeNats / length, originalAccuracy, bestCeNats / length, bestAccuracy, 2,
                bestAccuracy == 1.0 ? "solved" : "patience", originalCeNats, bestCeNats, originalCeNats / ln2,
                bestCeNats / ln2, originalCeNats - bestCeNats, (originalCeNats - bestCeNats) / ln2,
                (bestAccuracy - originalAccuracy) * length, bestAccuracy == 1.0, length, bestAccuracy, 0.5,
                "float32", "cpu()", RunFolder.relativeMemoryFile(runId), Map.of("lr", 0.01), Map.of("java", "17"));
    }

    /** A record for a plan's run with the given best accuracy. */
    public static RunRecord forSpec(RunSpec s, double bestAccuracy) {
        return record(s.runId(), s.modelId(), s.text().id(), s.length(), s.nMem(), 0.3, bestAccuracy, 3.0 * s.length(),
                0.1 * s.length());
    }
}
