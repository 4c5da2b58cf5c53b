package org.cramlab.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The sbatch script of a sweep: a job array whose task {@code i} runs
 * {@code cramlab sweep --plan F --shard i/N --out RUNDIR}. Tasks append to their own record file in
 * RUNDIR, which must be on a filesystem every node sees.
 *
 * @param planFile the plan, absolute
 * @param runDir the run folder, absolute
 * @param shards N, the shard count fixed in the script
 * @param tasks the array indices to submit (all of 0..N-1, or only shards with runs still missing)
 * @param jobName the Slurm job name
 * @param launcher how each task starts java
 * @param options the sbatch options
 */
public record SbatchScript(
        Path planFile, Path runDir, int shards, List<Integer> tasks, String jobName, Launcher launcher,
        SlurmOptions options) {

    public SbatchScript {
        planFile = planFile.toAbsolutePath().normalize();
        runDir = runDir.toAbsolutePath().normalize();
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty()) throw new SweepException("an sbatch array needs at least one task");
        for (int t : tasks) {
            if (t < 0 || t >= shards) throw new SweepException("array task " + t + " is not a shard of " + shards);
        }
    }

    /** Where the tasks' stdout/stderr go: {@code RUNDIR/slurm/logs/<job name>-<array job id>_<task>.out}. */
    public Path logDir() {
        return runDir.resolve("slurm").resolve("logs");
    }

    /** Slurm's array spec: {@code 0-7}, or {@code 1,4,6} for a subset, plus {@code %M} when limited. */
    public String arraySpec() {
        boolean contiguous = tasks.get(tasks.size() - 1) - tasks.get(0) == tasks.size() - 1;
        String spec = contiguous && tasks.size() > 1
                ? tasks.get(0) + "-" + tasks.get(tasks.size() - 1)
                : tasks.stream().map(String::valueOf).collect(Collectors.joining(","));
        return options.maxParallel() > 0 ? spec + "%" + options.maxParallel() : spec;
    }

    /** The script text. */
    public String render() {
        List<String> l = new ArrayList<>();
        l.add("#!/bin/bash");
        l.add("# cramlab sweep: " + shards + " shards of " + planFile + " into " + runDir);
        l.add("# Written by `cramlab sweep --slurm`. After failures rerun that same command: tasks skip runs");
        l.add("# already recorded in the run folder, so only what is missing runs again.");
        sbatch(l, "--job-name", jobName);
        sbatch(l, "--array", arraySpec());
        // One process per array task; --gpus-per-task also needs an explicit task count.
        sbatch(l, "--ntasks", "1");
        sbatch(l, "--output", logDir().resolve("%x-%A_%a.out").toString());
        if (options.cpusPerTask() > 0) sbatch(l, "--cpus-per-task", String.valueOf(options.cpusPerTask()));
        if (options.gpusPerTask() > 0) sbatch(l, "--gpus-per-task", String.valueOf(options.gpusPerTask()));
        if (options.mem() != null) sbatch(l, "--mem", options.mem());
        if (options.time() != null) sbatch(l, "--time", options.time());
        if (options.partition() != null) sbatch(l, "--partition", options.partition());
        if (options.account() != null) sbatch(l, "--account", options.account());
        for (String a : options.sbatchArgs()) l.add("#SBATCH " + a);
        l.add("set -euo pipefail");
        l.add("# N is fixed here rather than read from $SLURM_ARRAY_TASK_COUNT, so a subset of tasks");
        l.add("# (`sbatch --array=3 this-script`) still runs shard 3 of N.");
        l.add("SHARDS=" + shards);
        List<String> cmd = new ArrayList<>();
        cmd.add("exec \"${CRAMLAB_JAVA:-" + launcher.java().replace("\"", "") + "}\"");
        options.javaOpts().forEach(o -> cmd.add(quote(o)));
        launcher.entry().forEach(o -> cmd.add(quote(o)));
        cmd.add("sweep");
        cmd.add("--plan " + quote(planFile.toString()));
        cmd.add("--shard \"${SLURM_ARRAY_TASK_ID}/${SHARDS}\"");
        cmd.add("--out " + quote(runDir.toString()));
        options.sweepArgs().forEach(o -> cmd.add(quote(o)));
        l.add(String.join(" ", cmd));
        return String.join("\n", l) + "\n";
    }

    private static void sbatch(List<String> lines, String option, String value) {
        lines.add("#SBATCH " + option + "=" + value);
    }

    /** Single-quotes a shell word. */
    static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:=@%+,-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
