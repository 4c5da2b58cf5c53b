package org.cramlab.capacity;

import java.util.List;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;

/** How a repair does its work: in memory (library, bench) or persisted in a run folder (the run layer's CapacitySearch). */
public interface RepairRuns {
    /** The grid's run of {@code text}'s first {@code length} tokens: from a random memory, the grid's settings and seed. */
    Retry gridRun(ProgressiveRecord text, int length);

    /**
     * Continues the staged schedule of resumed texts (each {@link ProgressiveCrammer.Task#done} ends in a passed
     * repair stage; {@link ProgressiveCrammer.Task#memories} holds its memory); records in task order.
     */
    List<ProgressiveRecord> stages(List<ProgressiveCrammer.Task> resumed, ProgressiveCrammer.Listener listener);
}
