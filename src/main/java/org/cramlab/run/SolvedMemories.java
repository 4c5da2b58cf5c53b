package org.cramlab.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.cram.Memory;
import org.cramlab.cram.RunRecord;

/**
 * Training examples for a learned init (issue 26): every solved run of a run folder (best accuracy 1.0, its
 * best memory saved) is a text with the memory that decodes it, unless the model predicts the text without memory.
 */
public final class SolvedMemories {

    private SolvedMemories() {}

    /**
     * A solved text.
     *
     * @param text the text the ids decode to (as its record has it; may be null)
     * @param tokenIds the L ids it compressed
     * @param memory its best memory, row-major [K*d]
     */
    public record Example(String text, int[] tokenIds, float[] memory) {}

    /**
     * The solved runs of {@code folder} with K = {@code k} on model {@code modelId}, of length {@code length}
     * (null: any), whose memories are [k, d]; a folder without records is a one-line error naming it.
     */
    public static List<Example> read(Path folder, String modelId, int k, int d, Integer length) {
        if (!Files.isDirectory(folder.resolve("records"))) {
            throw new ExperimentException(folder + " is not a run folder (no records/): expected a folder written by"
                    + " cram runs (capacity, plan, sweep or init)");
        }
        List<Example> out = new ArrayList<>();
        for (RunRecord r : RecordStore.read(folder).all()) {
            if (r.metrics().bestAccuracy() < 1.0 || r.memoryFile() == null) continue;
            // a text the model predicts without memory is solved by whatever start it had: noise teaches nothing
            if (r.metrics().originalAccuracy() >= 1.0) continue;
            if (!r.settings().modelId().equals(modelId) || r.settings().nMem() != k) continue;
            if (length != null && r.text().length() != length) continue;
            Path file = folder.resolve(r.memoryFile());
            if (!Files.isRegularFile(file)) continue; // a memory lost with a crash: the run is simply not an example
            out.add(new Example(r.text().content(), r.text().tokenIds(), Memory.load(file, k, d)));
        }
        return out;
    }
}
