package org.cramlab.sweep;

import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * How far a staged plan's sweep is (see {@link StagedSweep#status}): per text, per shard, the final job (the
 * repair, or for a plan without repair the summary over all texts) and the capacity once known.
 *
 * @param plan the plan's name
 * @param strategy the plan's strategy, with {@code +repair} when it asks for a repair
 * @param nMem K
 * @param texts per text, in plan order
 * @param shards per shard
 * @param finalJob the whole plan's last step
 * @param capacity the plan's decoding capacity, null until the final job finished
 * @param steps the plan's optimisation steps in total, null until then
 */
public record StagedStatus(
        String plan, String strategy, int nMem, List<TextRow> texts, List<ShardRow> shards, FinalRow finalJob,
        Integer capacity, Long steps) {

    /** State of a job or task that has left Slurm's queue without leaving its marker. */
    public static final String FAILED = "failed or cancelled, submit again";
    /** State of work not submitted (or run here and not finished). */
    public static final String NOT_STARTED = "not done";

    /**
     * One text.
     *
     * @param textId its id in the plan
     * @param shard the shard it belongs to
     * @param stages stages recorded
     * @param lastLength length of its latest stage (0: none)
     * @param lastPassed whether that stage passed
     * @param longestPassed its longest passed stage or exact repair run (0: none)
     * @param repairRuns the repair's grid runs of this text so far
     * @param done its staged pass finished
     */
    public record TextRow(String textId, Shard shard, int stages, int lastLength, boolean lastPassed, int longestPassed,
            int repairRuns, boolean done) {}

    /**
     * One shard.
     *
     * @param shard i/n
     * @param texts texts it holds
     * @param textsDone of those, finished
     * @param state done, a Slurm state (PENDING, RUNNING, ...), {@link #FAILED} or {@link #NOT_STARTED}
     * @param job the Slurm array task ({@code <job>_<i>}) it was last submitted as, or null
     * @param capacity the capacity over its texts only, once done (else null)
     */
    public record ShardRow(Shard shard, int texts, int textsDone, String state, String job, Integer capacity) {
        public boolean done() {
            return "done".equals(state);
        }
    }

    /**
     * The final job.
     *
     * @param name {@code repair} or {@code summary}
     * @param state done, a Slurm state, {@link #FAILED} or {@link #NOT_STARTED}
     * @param job its Slurm job id, or null
     * @param after the array job it waits for, or null
     */
    public record FinalRow(String name, String state, String job, String after) {}

    public StagedStatus {
        texts = List.copyOf(texts);
        shards = List.copyOf(shards);
    }

    /** True once the whole plan (and its repair) finished: the capacity is known. */
    public boolean complete() {
        return capacity != null;
    }

    /** Whether some job of the last submission is still queued or running. */
    public boolean inQueue() {
        return shards.stream().anyMatch(s -> isQueued(s.state())) || isQueued(finalJob.state());
    }

    private static boolean isQueued(String state) {
        return !state.equals("done") && !state.equals(FAILED) && !state.equals(NOT_STARTED);
    }

    /** Per text: shard, stages, latest stage, longest passed, repair runs, done; for a notebook. */
    public Table table() {
        return Table.create(plan + " (" + strategy + ")",
                StringColumn.create("text", texts.stream().map(TextRow::textId)),
                StringColumn.create("shard", texts.stream().map(t -> t.shard().toString())),
                IntColumn.create("stages", texts.stream().mapToInt(TextRow::stages).toArray()),
                StringColumn.create("latest stage", texts.stream().map(StagedStatus::latest)),
                IntColumn.create("longest passed", texts.stream().mapToInt(TextRow::longestPassed).toArray()),
                IntColumn.create("repair runs", texts.stream().mapToInt(TextRow::repairRuns).toArray()),
                BooleanColumn.create("done", texts.stream().map(TextRow::done).toList()));
    }

    private static String latest(TextRow t) {
        return t.stages() == 0 ? "-" : "L=" + t.lastLength() + (t.lastPassed() ? " passed" : " failed");
    }

    /** Lines for a terminal: a header, a line per text, per shard, the final job and the capacity. */
    public String render() {
        StringBuilder b = new StringBuilder();
        long textsDone = texts.stream().filter(TextRow::done).count();
        long shardsDone = shards.stream().filter(ShardRow::done).count();
        b.append(String.format(Locale.ROOT, "%s (%s, K=%d): %d/%d texts done, %d/%d shards done, %s %s%n", plan, strategy,
                nMem, textsDone, texts.size(), shardsDone, shards.size(), finalJob.name(), finalJob.state()));
        int w = Math.max(4, texts.stream().mapToInt(t -> t.textId().length()).max().orElse(4));
        b.append(String.format(Locale.ROOT, "  %-" + w + "s  %-7s %6s  %-14s %14s %11s  %s%n", "text", "shard", "stages",
                "latest stage", "longest passed", "repair runs", "done"));
        for (TextRow t : texts) {
            b.append(String.format(Locale.ROOT, "  %-" + w + "s  %-7s %6d  %-14s %14d %11d  %s%n", t.textId(), t.shard(), t.stages(),
                    latest(t), t.longestPassed(), t.repairRuns(), t.done() ? "yes" : "no"));
        }
        for (ShardRow s : shards) {
            b.append("shard ").append(s.shard()).append(": ").append(s.state());
            if (s.job() != null && !s.done()) b.append(" (slurm ").append(s.job()).append(')');
            b.append(String.format(Locale.ROOT, ", %d of %d texts done", s.textsDone(), s.texts()));
            if (s.capacity() != null) b.append("; capacity over these texts only: ").append(tokens(s.capacity()));
            b.append(System.lineSeparator());
        }
        b.append(finalJob.name()).append(": ").append(finalJob.state());
        if (finalJob.job() != null && !finalJob.state().equals("done")) {
            b.append(" (slurm job ").append(finalJob.job());
            if (finalJob.after() != null && finalJob.state().equals("PENDING")) b.append(", starts when every task of job ").append(finalJob.after()).append(" succeeded");
            b.append(')');
        }
        b.append(System.lineSeparator());
        if (complete()) {
            b.append(String.format(Locale.ROOT, "capacity (K=%d): %s; %d optimisation steps in total (%s)%n", nMem,
                    tokens(capacity), steps, strategy));
        } else {
            b.append("capacity: known once the ").append(finalJob.name()).append(" is done").append(System.lineSeparator());
        }
        return b.toString();
    }

    static String tokens(int n) {
        return n + (n == 1 ? " token" : " tokens");
    }

    @Override
    public String toString() {
        return render();
    }
}
