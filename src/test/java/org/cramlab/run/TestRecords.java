package org.cramlab.run;

import java.util.List;
import java.util.Map;
import org.cramlab.cram.RunRecord;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TestRecords;

/** Synthetic run records for tests: metrics given, derived fields computed by the paper's definitions. */
public final class TestRecords {
    private TestRecords() {}

    /** A record with CE given in nats (totals, i.e. already times L) and accuracies as fractions. */
    public static RunRecord record(String runId, String model, String textId, int length, int nMem,
            double originalAccuracy, double bestAccuracy, double originalCeNats, double bestCeNats) {
        String source = textId.substring(0, textId.indexOf(':'));
        double ln2 = Math.log(2);
        return RunRecord.builder().runId(runId).modelId(model).textId(textId).textSource(source).text("text " + textId)
                .tokenIds(new int[] {1, 2, 3}).length(length).nMem(nMem).seed(7L).hiddenSize(64).vocabSize(4096)
                .losses(List.of(originalCeNats / length, bestCeNats / length)).accuracies(List.of(originalAccuracy, bestAccuracy))
                .originalLoss(originalCeNats / length).originalAccuracy(originalAccuracy).bestLoss(bestCeNats / length)
                .bestAccuracy(bestAccuracy).steps(2).stopReason(bestAccuracy == 1.0 ? "solved" : "patience")
                .originalCeNats(originalCeNats).bestCeNats(bestCeNats).originalCeBits(originalCeNats / ln2).bestCeBits(bestCeNats / ln2)
                .informationGainNats(originalCeNats - bestCeNats).informationGainBits((originalCeNats - bestCeNats) / ln2)
                .tokenGain((bestAccuracy - originalAccuracy) * length).greedyExactMatch(bestAccuracy == 1.0)
                .greedyPrefixLength(length).greedyTokenAccuracy(bestAccuracy).wallTimeSeconds(0.5).dtype("float32").device("cpu()")
                .memoryFile(RunFolder.relativeMemoryFile(runId)).optimiser(Map.of("lr", 0.01)).versions(Map.of("java", "17"))
                .build();
    }

    /** A record for a plan's run with the given best accuracy. */
    public static RunRecord forSpec(RunSpec s, double bestAccuracy) {
        return record(s.runId(), s.modelId(), s.text().id(), s.length(), s.nMem(), 0.3, bestAccuracy, 3.0 * s.length(),
                0.1 * s.length());
    }

    /** Stage lines persisted in a run folder's {@code stages/} by every writer (blank lines not counted). */
    public static long stageLines(java.nio.file.Path runFolder) throws java.io.IOException {
        long n = 0;
        try (var files = java.nio.file.Files.list(runFolder.resolve("stages"))) {
            for (java.nio.file.Path f : files.toList()) n += java.nio.file.Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count();
        }
        return n;
    }
}
