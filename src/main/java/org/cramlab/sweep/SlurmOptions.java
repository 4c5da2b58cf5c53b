package org.cramlab.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to submit a sweep as a Slurm job array: one array task per shard. Zero or null means "not set"
 * (the cluster's default applies and no {@code #SBATCH} line is written).
 *
 * @param shards number of shards = array tasks; 0 picks {@code min(runs, 16)}
 * @param maxParallel at most this many tasks at once ({@code --array=...%M}); 0 = no limit
 * @param gpusPerTask {@code --gpus-per-task}
 * @param cpusPerTask {@code --cpus-per-task}
 * @param partition {@code --partition}
 * @param time {@code --time}, Slurm's formats (e.g. {@code 2:00:00}, {@code 1-00:00:00})
 * @param mem sbatch {@code --mem} per node (sweep's {@code --node-mem}), e.g. {@code 16G}
 * @param jobName {@code --job-name}; null names the job after the plan
 * @param account {@code --account}
 * @param javaOpts JVM options for each task (e.g. {@code -Xmx8g})
 * @param sbatchArgs further sbatch options, one {@code #SBATCH} line each (e.g. {@code --qos=long})
 * @param sweepArgs further options passed to each task's {@code sweep} command (e.g. {@code --device gpu})
 */
public record SlurmOptions(
        int shards,
        int maxParallel,
        int gpusPerTask,
        int cpusPerTask,
        String partition,
        String time,
        String mem,
        String jobName,
        String account,
        List<String> javaOpts,
        List<String> sbatchArgs,
        List<String> sweepArgs) {

    /** Default number of shards when none is given: enough to spread, few enough to keep logs readable. */
    public static final int DEFAULT_MAX_SHARDS = 16;

    public SlurmOptions {
        nonNegative("shards (--array)", shards);
        nonNegative("max parallel tasks", maxParallel);
        nonNegative("--gpus-per-task", gpusPerTask);
        nonNegative("--cpus-per-task", cpusPerTask);
        word("--partition", partition, "[A-Za-z0-9_.,-]+");
        word("--time", time, "[0-9:-]+");
        word("--node-mem", mem, "[0-9]+[KMGTkmgt]?");
        word("--job-name", jobName, "[A-Za-z0-9_.-]+");
        word("--account", account, "[A-Za-z0-9_.-]+");
        javaOpts = List.copyOf(Objects.requireNonNullElse(javaOpts, List.of()));
        sbatchArgs = List.copyOf(Objects.requireNonNullElse(sbatchArgs, List.of()));
        sweepArgs = List.copyOf(Objects.requireNonNullElse(sweepArgs, List.of()));
        for (String a : sbatchArgs) {
            if (!a.startsWith("-") || a.contains("\n")) {
                throw new SweepException("sbatch option must be one line starting with '-', got '" + a + "'");
            }
        }
        for (String a : javaOpts) noNewline("java option", a);
        for (String a : sweepArgs) noNewline("sweep option", a);
    }

    /** No options set: the cluster's defaults, {@code min(runs, 16)} shards. */
    public static SlurmOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The shard count for a plan of {@code runs} runs. */
    public int shardsFor(int runs) {
        return shards > 0 ? shards : Math.max(1, Math.min(runs, DEFAULT_MAX_SHARDS));
    }

    private static void nonNegative(String what, int v) {
        if (v < 0) throw new SweepException(what + " must be >= 0, got " + v);
    }

    private static void word(String what, String v, String regex) {
        if (v != null && !v.matches(regex)) {
            throw new SweepException(what + " value '" + v + "' is not valid (expected " + regex + ")");
        }
    }

    private static void noNewline(String what, String v) {
        if (v == null || v.contains("\n")) throw new SweepException(what + " must be one line, got '" + v + "'");
    }

    /** Builder for {@link SlurmOptions}; every option is optional. */
    public static final class Builder {
        private int shards, maxParallel, gpusPerTask, cpusPerTask;
        private String partition, time, mem, jobName, account;
        private final List<String> javaOpts = new ArrayList<>();
        private final List<String> sbatchArgs = new ArrayList<>();
        private final List<String> sweepArgs = new ArrayList<>();

        public Builder optShards(int v) { shards = v; return this; }
        public Builder optMaxParallel(int v) { maxParallel = v; return this; }
        public Builder optGpusPerTask(int v) { gpusPerTask = v; return this; }
        public Builder optCpusPerTask(int v) { cpusPerTask = v; return this; }
        public Builder optPartition(String v) { partition = v; return this; }
        public Builder optTime(String v) { time = v; return this; }
        public Builder optMem(String v) { mem = v; return this; }
        public Builder optJobName(String v) { jobName = v; return this; }
        public Builder optAccount(String v) { account = v; return this; }
        public Builder addJavaOpts(List<String> v) { javaOpts.addAll(v); return this; }
        public Builder addSbatchArgs(List<String> v) { sbatchArgs.addAll(v); return this; }
        public Builder addSweepArgs(List<String> v) { sweepArgs.addAll(v); return this; }

        public SlurmOptions build() {
            return new SlurmOptions(shards, maxParallel, gpusPerTask, cpusPerTask, partition, time, mem, jobName,
                    account, javaOpts, sbatchArgs, sweepArgs);
        }
    }
}
