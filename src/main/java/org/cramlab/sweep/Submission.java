package org.cramlab.sweep;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Sweep#submit} did.
 *
 * @param jobId the Slurm job id, or null when nothing was submitted (sbatch absent, or nothing missing)
 * @param script the sbatch script written, or null when every run was already recorded
 * @param shards N, the shard count
 * @param tasks the array tasks (shards) submitted or to submit: only shards with runs missing
 * @param message what happened and how to watch or submit, for the user
 */
public record Submission(String jobId, Path script, int shards, List<Integer> tasks, String message) {
    public Submission {
        tasks = List.copyOf(tasks);
    }

    /** True when a job was handed to Slurm. */
    public boolean submitted() {
        return jobId != null;
    }
}
