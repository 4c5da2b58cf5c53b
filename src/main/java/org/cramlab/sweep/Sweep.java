package org.cramlab.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cramlab.core.Json;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.RecordStore;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;

/**
 * Runs an experiment plan on this machine or as a Slurm job array, into one run folder.
 *
 * <p>Shard {@code i} of {@code n} holds the plan's runs whose id is {@code i} modulo {@code n}
 * ({@link ExperimentPlan#shard}); each shard appends to its own {@code records/shard-i-of-n-<tag>.jsonl}
 * and skips runs any writer already recorded. So a resubmission runs only what is missing, shards never
 * write the same file, and the merged store ({@link RecordStore}) has one record per run. The run folder
 * must be on a filesystem all nodes share; no locking is needed because no file has two writers.
 *
 * <pre>{@code
 * Submission s = Sweep.submit(plan, runDir, SlurmOptions.builder().optShards(8).optGpusPerTask(1).build());
 * SweepStatus st = Sweep.watch(plan, runDir, Duration.ofSeconds(30), status -> System.out.print(status));
 * }</pre>
 */
public final class Sweep {
    /** Sub-folder of the run folder with sbatch scripts, task logs and the submission log. */
    public static final String SLURM_DIR = "slurm";
    private static final String SUBMISSIONS = "submissions.jsonl";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private Sweep() {}

    /** The runs of {@code shard} not in {@code done}, in plan order. */
    public static List<RunSpec> pending(ExperimentPlan plan, Shard shard, Set<String> done) {
        return plan.shard(shard.index(), shard.count()).stream().filter(r -> !done.contains(r.runId())).toList();
    }

    /** {@link #runShard(ExperimentPlan, Shard, Path, ShardExecutor, String)} with this process's writer tag. */
    public static ShardResult runShard(ExperimentPlan plan, Shard shard, Path runDir, ShardExecutor executor) {
        return runShard(plan, shard, runDir, executor, Shard.currentWriterTag());
    }

    /**
     * Runs the runs of {@code shard} that no writer has recorded in {@code runDir} yet, appending their
     * records to {@code records/<shard.writerName(tag)>.jsonl}. With {@link Shard#all()} this is the
     * one-machine path.
     */
    public static ShardResult runShard(ExperimentPlan plan, Shard shard, Path runDir, ShardExecutor executor, String tag) {
        int assigned = plan.shard(shard.index(), shard.count()).size();
        if (pending(plan, shard, RecordStore.read(runDir).ids()).isEmpty()) return new ShardResult(shard, assigned, assigned, 0, null);
        String writer = shard.writerName(tag);
        // one lock per shard, whatever the job: a second writer of this shard waits, then finds its runs done
        try (RunFolder folder = RunFolder.open(runDir, writer, "shard-" + shard.index() + "-of-" + shard.count())) {
            List<RunSpec> todo = pending(plan, shard, RecordStore.read(runDir).ids());
            if (todo.isEmpty()) return new ShardResult(shard, assigned, assigned, 0, null);
            executor.run(plan, todo, folder);
            return new ShardResult(shard, assigned, assigned - todo.size(), todo.size(), writer);
        }
    }

    /** {@link #submit(ExperimentPlan, Path, SlurmOptions, Launcher)} started the way this process was. */
    public static Submission submit(ExperimentPlan plan, Path runDir, SlurmOptions options) {
        return submit(plan, runDir, options, Launcher.current());
    }

    /**
     * Writes the plan to {@code runDir/plan.json} (and the copy tasks read, {@code runDir/slurm/plan.json})
     * and an sbatch script for the shards that still have
     * runs missing, then submits it with {@code sbatch} if it is on the PATH (else the message says how
     * to submit it). Calling this again after failures submits only what is missing.
     */
    public static Submission submit(ExperimentPlan plan, Path runDir, SlurmOptions options, Launcher launcher) {
        return submit(plan, runDir, options, launcher, Slurm.available());
    }

    /** Writes the plan and the sbatch script as {@link #submit} does, and submits nothing (the message shows the script). */
    public static Submission write(ExperimentPlan plan, Path runDir, SlurmOptions options, Launcher launcher) {
        Submission s = submit(plan, runDir, options, launcher, false);
        return new Submission(s.jobId(), s.script(), s.shards(), s.tasks(),
                s.message().replaceFirst("^sbatch is not on the PATH; wrote ", "--dry-run: wrote (and did not submit) "));
    }

    /** {@code useSbatch} false only writes the script (tests; machines without Slurm). */
    static Submission submit(ExperimentPlan plan, Path runDir, SlurmOptions options, Launcher launcher, boolean useSbatch) {
        Path dir = runDir.toAbsolutePath().normalize();
        int n = options.shardsFor(plan.runs().size());
        Set<String> done = RecordStore.read(dir).ids();
        List<Integer> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!pending(plan, new Shard(i, n), done).isEmpty()) tasks.add(i);
        }
        if (tasks.isEmpty()) {
            return new Submission(null, null, n, tasks, "all " + plan.runs().size() + " runs of plan '" + plan.name()
                    + "' are already recorded in " + dir + "; nothing to submit");
        }
        savePlan(plan, planFile(dir));
        savePlan(plan, taskPlanFile(dir));
        String jobName = options.jobName() != null ? options.jobName() : "cramlab-" + plan.name().replaceAll("[^A-Za-z0-9_.-]", "_");
        SbatchScript sbatch = new SbatchScript(taskPlanFile(dir), dir, n, tasks, jobName, launcher, options);
        Path script = dir.resolve(SLURM_DIR).resolve(jobName + "-" + STAMP.format(Instant.now()) + ".sbatch");
        try {
            Files.createDirectories(sbatch.logDir());
            Files.writeString(script, sbatch.render(), StandardCharsets.UTF_8);
            script.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new SweepException("cannot write sbatch script " + script + ": " + e.getMessage(), e);
        }
        String statusCmd = "java -jar lib/cramlab.jar sweep --status --plan " + taskPlanFile(dir) + " --out " + dir;
        String what = tasks.size() + " of " + n + " shards (" + (plan.runs().size() - done.size()) + " runs missing)";
        if (!useSbatch) {
            return new Submission(null, script, n, tasks, "sbatch is not on the PATH; wrote " + script + " for " + what
                    + ".\n" + sbatch.render() + "Submit it on the cluster's login node: sbatch " + script
                    + "\nWatch it: squeue -j <job id>   and   " + statusCmd);
        }
        String jobId = Slurm.submit(script);
        logSubmission(dir, new Logged(jobId, n, tasks, script.toString(), Instant.now().toString()));
        return new Submission(jobId, script, n, tasks, "submitted Slurm job " + jobId + " for " + what + "; script "
                + script + ", task logs in " + sbatch.logDir() + "\nWatch it: squeue -j " + jobId + "   and   " + statusCmd);
    }

    /**
     * Progress of {@code plan} in {@code runDir}, per shard of the last Slurm submission, else of the
     * newest shard record file ({@code shard-i-of-n-...}), else as one shard.
     */
    public static SweepStatus status(ExperimentPlan plan, Path runDir) {
        Optional<Logged> last = lastSubmission(runDir);
        int shards = last.map(Logged::shards).orElseGet(() -> newestWriterShardCount(runDir));
        return status(plan, runDir, shards, last.map(Logged::jobId).orElse(null));
    }

    /** n of the most recently written {@code records/shard-i-of-n-*.jsonl}, or 1. */
    private static int newestWriterShardCount(Path runDir) {
        Path records = runDir.resolve("records");
        if (!Files.isDirectory(records)) return 1;
        try (Stream<Path> files = Files.list(records)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                    .max(Comparator.comparing(Sweep::modified))
                    .flatMap(f -> Shard.ofWriterName(f.getFileName().toString().replaceFirst("\\.jsonl$", "")))
                    .map(Shard::count).orElse(1);
        } catch (IOException e) {
            throw new SweepException("cannot list " + records + ": " + e.getMessage(), e);
        }
    }

    private static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Progress of {@code plan} in {@code runDir} per shard of {@code shards}; {@code jobId} (nullable) adds its queue. */
    public static SweepStatus status(ExperimentPlan plan, Path runDir, int shards, String jobId) {
        RecordStore store = RecordStore.read(runDir);
        Set<String> done = store.ids();
        List<ShardStatus> progress = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            Shard s = new Shard(i, shards);
            List<RunSpec> runs = plan.shard(i, shards);
            progress.add(new ShardStatus(s, runs.size(), (int) runs.stream().filter(r -> done.contains(r.runId())).count()));
        }
        int doneInPlan = progress.stream().mapToInt(ShardStatus::done).sum();
        Map<String, Integer> queue = Slurm.queue(jobId);
        return new SweepStatus(plan.name(), plan.runs().size(), doneInPlan, progress, jobId, queue, store.warnings());
    }

    /**
     * Polls {@link #status(ExperimentPlan, Path)} every {@code every}, handing each to {@code onUpdate}, until
     * the plan is complete or the last submitted job has left Slurm's queue (then some runs failed: submit
     * again). Returns the last status. Notebooks use it to show progress and replot partial results.
     */
    public static SweepStatus watch(ExperimentPlan plan, Path runDir, Duration every, Consumer<SweepStatus> onUpdate) {
        while (true) {
            SweepStatus s = status(plan, runDir);
            onUpdate.accept(s);
            if (s.complete() || s.jobId() == null || s.queue().isEmpty()) return s;
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return s;
            }
        }
    }

    /** The run folder's plan: {@code runDir/plan.json}. */
    public static Path planFile(Path runDir) {
        return runDir.toAbsolutePath().normalize().resolve("plan.json");
    }

    /** The plan Slurm tasks read, {@code runDir/slurm/plan.json}: written only by {@link #submit}. */
    public static Path taskPlanFile(Path runDir) {
        return runDir.toAbsolutePath().normalize().resolve(SLURM_DIR).resolve("plan.json");
    }

    /** Writes a plan file via a temporary file and a rename, so a task starting meanwhile never reads half a plan. */
    static void savePlan(ExperimentPlan plan, Path target) {
        plan.save(target); // atomic, and leaves no temporary file when it fails
    }

    /** One line of {@code slurm/submissions.jsonl}. */
    private record Logged(String jobId, int shards, List<Integer> tasks, String script, String time) {}

    private static void logSubmission(Path runDir, Logged entry) {
        appendLog(runDir, SUBMISSIONS, entry);
    }

    private static Optional<Logged> lastSubmission(Path runDir) {
        return lastLogged(runDir, SUBMISSIONS, Logged.class).filter(l -> l.shards() >= 1);
    }

    /** Appends {@code entry} as one JSON line to {@code runDir/slurm/<file>} (a submission log). */
    static void appendLog(Path runDir, String file, Object entry) {
        Path f = runDir.resolve(SLURM_DIR).resolve(file);
        try {
            Files.writeString(f, Json.write(entry) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new SweepException("cannot append to " + f + ": " + e.getMessage(), e);
        }
    }

    /** The last line of the submission log {@code runDir/slurm/<file>}, if any. */
    static <T> Optional<T> lastLogged(Path runDir, String file, Class<T> type) {
        Path f = runDir.resolve(SLURM_DIR).resolve(file);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? Optional.empty() : Optional.ofNullable(Json.read(lines.get(lines.size() - 1), type));
        } catch (IOException | RuntimeException e) {
            throw new SweepException("cannot read submission log " + f + ": " + e.getMessage(), e);
        }
    }
}
