package org.cramlab.sweep;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Progress of a plan in a run folder, read from the records (so it is the same whether the runs came
 * from one machine or from Slurm tasks).
 *
 * @param plan the plan's name
 * @param total runs in the plan
 * @param done runs recorded
 * @param shards per-shard progress for the shard count of the last submission (one shard if none)
 * @param jobId the last submitted Slurm job, or null
 * @param queue that job's array tasks still in Slurm's queue, per state (empty when it has left the queue)
 * @param warnings unreadable record lines skipped (runs interrupted while writing)
 */
public record SweepStatus(
        String plan, int total, int done, List<ShardStatus> shards, String jobId, Map<String, Integer> queue,
        List<String> warnings) {

    public SweepStatus {
        shards = List.copyOf(shards);
        queue = Map.copyOf(queue);
        warnings = List.copyOf(warnings);
    }

    /** True when every run of the plan is recorded. */
    public boolean complete() {
        return done == total;
    }

    /** Shards with runs still missing. */
    public List<Shard> incompleteShards() {
        return shards.stream().filter(s -> s.missing() > 0).map(ShardStatus::shard).toList();
    }

    /** A few lines for a terminal or a notebook cell. */
    public String render() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%s: %d/%d runs done (%.0f%%)%n", plan, done, total, total == 0 ? 100.0 : 100.0 * done / total));
        for (ShardStatus s : shards) {
            b.append(String.format("  shard %-7s %d/%d%s%n", s.shard(), s.done(), s.total(), s.missing() == 0 ? "  done" : ""));
        }
        if (jobId != null) {
            b.append("  slurm job ").append(jobId).append(": ");
            b.append(queue.isEmpty() ? "no tasks queued or running"
                    : queue.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")));
            b.append(System.lineSeparator());
        }
        if (!warnings.isEmpty()) b.append("  ").append(warnings.size()).append(" unreadable record line(s) skipped").append(System.lineSeparator());
        return b.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
