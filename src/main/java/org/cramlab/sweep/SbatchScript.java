package org.cramlab.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.cramlab.core.ChildJvm;

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
        resources(l, options, logDir().resolve("%x-%A_%a.out"));
        l.add("set -euo pipefail");
        l.add("# N is fixed here rather than read from $SLURM_ARRAY_TASK_COUNT, so a subset of tasks");
        l.add("# (`sbatch --array=3 this-script`) still runs shard 3 of N.");
        l.add("SHARDS=" + shards);
        l.add(command(launcher, options, planFile, runDir, "--shard \"${SLURM_ARRAY_TASK_ID}/${SHARDS}\""));
        return String.join("\n", l) + "\n";
    }

    /**
     * The script of one job (no array) that runs the whole plan, {@code cramlab sweep --plan F --out RUNDIR}, with
     * the same per-task resources as the array (e.g. a staged plan's repair once its shards are done).
     *
     * @param what one comment line saying what the job does
     */
    public static String single(Path planFile, Path runDir, String jobName, Launcher launcher, SlurmOptions options, String what) {
        Path plan = planFile.toAbsolutePath().normalize();
        Path dir = runDir.toAbsolutePath().normalize();
        List<String> l = new ArrayList<>();
        l.add("#!/bin/bash");
        l.add("# cramlab sweep: " + what);
        l.add("# Written by `cramlab sweep --slurm`. After failures rerun that same command: it submits only what is missing.");
        sbatch(l, "--job-name", jobName);
        resources(l, options, dir.resolve("slurm").resolve("logs").resolve("%x-%j.out"));
        l.add("set -euo pipefail");
        l.add(command(launcher, options, plan, dir, null));
        return String.join("\n", l) + "\n";
    }

    /** The {@code #SBATCH} lines every task or job of a sweep carries: one process, its log, the options' resources. */
    private static void resources(List<String> l, SlurmOptions options, Path log) {
        // One process per array task; --gpus-per-task also needs an explicit task count.
        sbatch(l, "--ntasks", "1");
        sbatch(l, "--output", log.toString());
        if (options.cpusPerTask() > 0) sbatch(l, "--cpus-per-task", String.valueOf(options.cpusPerTask()));
        if (options.gpusPerTask() > 0) sbatch(l, "--gpus-per-task", String.valueOf(options.gpusPerTask()));
        if (options.mem() != null) sbatch(l, "--mem", options.mem());
        if (options.time() != null) sbatch(l, "--time", options.time());
        if (options.partition() != null) sbatch(l, "--partition", options.partition());
        if (options.account() != null) sbatch(l, "--account", options.account());
        for (String a : options.sbatchArgs()) l.add("#SBATCH " + a);
    }

    /** {@code exec java ... sweep --plan F [shard] --out RUNDIR <sweep args>}; {@code shard} null: the whole plan. */
    private static String command(Launcher launcher, SlurmOptions options, Path planFile, Path runDir, String shard) {
        List<String> cmd = new ArrayList<>();
        cmd.add("exec \"${CRAMLAB_JAVA:-" + launcher.java().replace("\"", "") + "}\"");
        cmd.add(ChildJvm.PROCESS_REAPER_OPTION); // the task inherits the submitting JVM's LD_PRELOAD (sbatch --export=ALL)
        options.javaOpts().forEach(o -> cmd.add(quote(o)));
        launcher.entry().forEach(o -> cmd.add(quote(o)));
        cmd.add("sweep");
        cmd.add("--plan " + quote(planFile.toString()));
        if (shard != null) cmd.add(shard);
        cmd.add("--out " + quote(runDir.toString()));
        options.sweepArgs().forEach(o -> cmd.add(quote(o)));
        return String.join(" ", cmd);
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
