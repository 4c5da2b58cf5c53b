package org.cramlab.capacity;

import org.cramlab.cram.RunRecord;

/**
 * One from-scratch grid run of a repair.
 *
 * @param record its run record (the grid's run: settings, budget, seed)
 * @param memory its best memory, row-major [K, d]
 * @param memoryFile where it is saved, relative to a run folder (null: not saved)
 */
public record Retry(RunRecord record, float[] memory, String memoryFile) {
    public Retry(RunRecord record, float[] memory) {
        this(record, memory, null);
    }
}
