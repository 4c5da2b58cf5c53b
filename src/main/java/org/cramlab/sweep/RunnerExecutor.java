package org.cramlab.sweep;

import java.util.List;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;

/**
 * A shard's runs through the experiment runner (the engine, records and memories appended as runs
 * finish). The runner is handed the shard's runs as a plan of the same name.
 *
 * <p>The runner also writes {@code plan.json} and {@code params*.json}: with the shard's sub-plan. So
 * Slurm tasks read the sweep's own copy ({@code slurm/plan.json}), and {@code plan.json} is put back to
 * the whole plan (write + atomic rename) once the shard is done.
 */
public record RunnerExecutor(ExperimentRunner runner) implements ShardExecutor {

    @Override
    public void run(ExperimentPlan plan, List<RunSpec> runs, RunFolder folder) {
        try {
            runner.run(new ExperimentPlan(plan.name(), runs), folder);
        } catch (RuntimeException first) {
            // put the whole plan back, but never let that hide the first error (e.g. a full disk)
            try {
                Sweep.savePlan(plan, Sweep.planFile(folder.root()));
            } catch (RuntimeException second) {
                first.addSuppressed(second);
            }
            throw first;
        }
        Sweep.savePlan(plan, Sweep.planFile(folder.root()));
    }
}
