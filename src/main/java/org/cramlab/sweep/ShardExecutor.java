package org.cramlab.sweep;

import java.util.List;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;

/** Runs some of a plan's runs, appending one record per finished run to the folder (the experiment runner). */
@FunctionalInterface
public interface ShardExecutor {
    /**
     * @param plan the whole plan (for context such as its name)
     * @param runs the runs to do, none of them recorded yet
     * @param folder the run folder, opened with this shard's own writer
     */
    void run(ExperimentPlan plan, List<RunSpec> runs, RunFolder folder);
}
