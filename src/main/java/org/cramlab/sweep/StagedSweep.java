package org.cramlab.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.cramlab.core.Json;
import org.cramlab.cram.RunRecord;
import org.cramlab.run.CapacitySearch;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.RecordStore;
import org.cramlab.run.RunFolder;

/**
 * A plan naming a staged capacity strategy (warm, bisect, progressive; see {@code plan --strategy}) swept into
 * one run folder, here or on Slurm. Each text's lengths are a chain of warm-started stages, so shards split texts
 * ({@link CapacitySearch#shard}: text {@code j} is in shard {@code j mod n}), not runs. On Slurm the staged pass
 * is a job array, one task per shard, and the whole plan is one more job that Slurm starts only when every task
 * succeeded ({@code sbatch --dependency=afterok:<array job> --kill-on-invalid-dep=yes}, no polling): it reads every
 * text's stages back (computing none), runs the repair when the plan asks for one, and records the capacity.
 *
 * <p>A finished shard and the finished plan leave markers ({@link StagedProgress}); resubmitting submits only
 * shards with texts not finished and the final job while the plan has no marker. Nothing is recorded twice:
 * a resubmitted shard resumes each text from its persisted stages, the repair's grid runs are ordinary run
 * records that a rerun finds.
 */
public final class StagedSweep {
    private static final String LOG = "staged-submissions.jsonl";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private StagedSweep() {}

    /** How a submission reaches Slurm (tests replace it). */
    interface Cluster {
        /** Submits {@code script} with {@code sbatch --parsable <options>}; returns the job id. */
        String submit(Path script, List<String> options);

        /** State per array index ("" for a job that is no array) of the tasks of {@code jobId} still queued. */
        Map<String, String> tasks(String jobId);

        Cluster SLURM = new Cluster() {
            @Override
            public String submit(Path script, List<String> options) {
                return Slurm.submit(script, options);
            }

            @Override
            public Map<String, String> tasks(String jobId) {
                return Slurm.tasks(jobId);
            }
        };
    }

    /**
     * What a shard (or the whole plan) ran.
     *
     * @param shard the shard; {@code 0/1} is the whole plan, with its repair
     * @param texts texts of the shard
     * @param planTexts texts of the plan
     * @param result its result: over the shard's texts only for a shard
     */
    public record ShardOutcome(Shard shard, int texts, int planTexts, CapacitySearch.Result result) {
        /** A shard's result is partial: its capacity is over its texts only. */
        public boolean partial() {
            return shard.count() > 1;
        }

        /** The capacity line a shard prints instead of the plan's "decoding capacity" line. */
        public String partialCapacityLine() {
            return String.format(Locale.ROOT, "shard %s (%d of %d texts): capacity over these texts only: %s; run the whole"
                    + " plan for the plan's capacity", shard, texts, planTexts, StagedStatus.tokens(result.decodingCapacity()));
        }
    }

    /**
     * What {@link #submit} did.
     *
     * @param arrayJob the array job id, or null (nothing to submit, or not submitted)
     * @param finalJob the final (repair or summary) job id, or null
     * @param scripts the sbatch scripts written
     * @param tasks the array tasks (shards) submitted or to submit
     * @param message what happened and how to watch or submit
     */
    public record Submission(String arrayJob, String finalJob, List<Path> scripts, List<Integer> tasks, String message) {
        public Submission {
            scripts = List.copyOf(scripts);
            tasks = List.copyOf(tasks);
        }
    }

    /** One line of {@code slurm/staged-submissions.jsonl}. */
    record Logged(String arrayJob, String finalJob, int shards, List<Integer> tasks, String time) {}

    /** {@code finalName}: repair for a plan asking for one, else summary (the capacity over all texts). */
    static String finalName(ExperimentPlan plan) {
        return plan.isRepair() ? "repair" : "summary";
    }

    /**
     * Runs shard {@code s} of a staged plan into {@code runDir} (resuming every text from its persisted stages), and
     * marks it finished. {@link Shard#all()} runs the whole plan: every text (stages on disk are read back), the
     * repair if the plan asks for one, and marks the plan finished.
     */
    public static ShardOutcome runShard(ExperimentPlan plan, Shard s, Path runDir, ExperimentRunner runner, String tag) {
        CapacitySearch all = CapacitySearch.fromPlan(plan);
        CapacitySearch search = s.count() == 1 ? all : all.shard(s.index(), s.count());
        CapacitySearch.Result r;
        try (RunFolder folder = RunFolder.open(runDir, s.writerName(tag), "shard-" + s.index() + "-of-" + s.count())) {
            r = search.run(runner, folder);
        }
        List<String> ids = search.texts().stream().map(c -> c.text().id()).toList();
        StagedProgress.write(runDir, new StagedProgress.Marker(s.toString(), ids, r.decodingCapacity(), r.optimisationSteps(),
                r.strategy()));
        return new ShardOutcome(s, ids.size(), all.texts().size(), r);
    }

    /**
     * Without Slurm, what the jobs would do, here and in order: every shard of {@code shards}, then the whole plan
     * (its repair). Finished shards and texts are read back, not run again. Returns the whole plan's outcome.
     */
    public static ShardOutcome runHere(ExperimentPlan plan, Path runDir, int shards, ExperimentRunner runner) {
        String tag = Shard.currentWriterTag();
        StagedProgress progress = StagedProgress.read(runDir);
        for (int i = 0; i < shards && shards > 1; i++) {
            if (progress.shard(new Shard(i, shards)).isEmpty()) runShard(plan, new Shard(i, shards), runDir, runner, tag);
        }
        return runShard(plan, Shard.all(), runDir, runner, tag);
    }

    /**
     * Hands {@link #status} to {@code onUpdate} every {@code every} until the plan is finished or no job of the last
     * submission is queued (then something failed: submit again). Returns the last status.
     */
    public static StagedStatus watch(ExperimentPlan plan, Path runDir, java.time.Duration every, java.util.function.Consumer<StagedStatus> onUpdate) {
        while (true) {
            StagedStatus s = status(plan, runDir, 0);
            onUpdate.accept(s);
            if (s.complete() || !s.inQueue()) return s;
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return s;
            }
        }
    }

    /** Submits what is missing with {@code sbatch} when Slurm answers, else (or with {@code dryRun}) only writes the scripts. */
    public static Submission submit(ExperimentPlan plan, Path runDir, SlurmOptions options, Launcher launcher, boolean dryRun) {
        return submit(plan, runDir, options, launcher, dryRun || !Slurm.available() ? null : Cluster.SLURM);
    }

    /**
     * Writes the plan and the sbatch scripts for what is missing: an array of the shards with texts not finished,
     * and the final job unless the plan is finished; {@code cluster} null: submits nothing (the message says how).
     */
    static Submission submit(ExperimentPlan plan, Path runDir, SlurmOptions options, Launcher launcher, Cluster cluster) {
        Path dir = runDir.toAbsolutePath().normalize();
        CapacitySearch search = CapacitySearch.fromPlan(plan);
        int textCount = search.texts().size();
        if (options.shards() > textCount) {
            throw new SweepException("--array " + options.shards() + ": plan '" + plan.name() + "' names strategy '" + plan.strategy()
                    + "', whose shards split its " + textCount + " texts; use at most " + textCount + " shards");
        }
        int n = options.shardsFor(textCount);
        StagedProgress progress = StagedProgress.read(dir);
        String last = finalName(plan);
        if (progress.plan().isPresent()) {
            return new Submission(null, null, List.of(), List.of(), "plan '" + plan.name() + "' is finished in " + dir
                    + " (capacity " + StagedStatus.tokens(progress.plan().get().capacity()) + "); nothing to submit");
        }
        if (cluster != null) refuseWhileQueued(dir, cluster);
        List<Integer> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (CapacitySearch.Candidate c : search.shard(i, n).texts()) {
                if (!progress.textFinished(c.text().id())) {
                    tasks.add(i);
                    break;
                }
            }
        }
        Sweep.savePlan(plan, Sweep.planFile(dir));
        Path taskPlan = Sweep.taskPlanFile(dir);
        Sweep.savePlan(plan, taskPlan);
        String jobName = options.jobName() != null ? options.jobName() : "cramlab-" + plan.name().replaceAll("[^A-Za-z0-9_.-]", "_");
        String stamp = STAMP.format(Instant.now());
        Path slurmDir = dir.resolve(Sweep.SLURM_DIR);
        List<Path> scripts = new ArrayList<>();
        StringBuilder shown = new StringBuilder();
        Path arrayScript = null;
        if (!tasks.isEmpty()) {
            SbatchScript array = new SbatchScript(taskPlan, dir, n, tasks, jobName, launcher, options);
            arrayScript = write(slurmDir.resolve(jobName + "-" + stamp + ".sbatch"), array.render(), shown);
            scripts.add(arrayScript);
        }
        String finalWhat = "the " + last + " of " + taskPlan + " into " + dir + " once every shard is done";
        Path finalScript = write(slurmDir.resolve(jobName + "-" + last + "-" + stamp + ".sbatch"),
                SbatchScript.single(taskPlan, dir, jobName + "-" + last, launcher, options, finalWhat), shown);
        scripts.add(finalScript);
        String what = tasks.size() + " of " + n + " shards with texts to run";
        String statusCmd = "java -jar lib/cramlab.jar sweep --status --plan " + taskPlan + " --out " + dir;
        if (cluster == null) {
            String submitCmd = arrayScript == null ? "sbatch " + finalScript
                    : "jid=$(sbatch --parsable " + arrayScript + ") && sbatch " + String.join(" ", dependency("$jid")) + " " + finalScript;
            return new Submission(null, null, scripts, tasks, "wrote the sbatch scripts for " + what + " and the " + last
                    + " (not submitted):\n" + shown + "Submit them on the cluster's login node:\n  " + submitCmd + "\nWatch: " + statusCmd);
        }
        String arrayJob = arrayScript == null ? null : cluster.submit(arrayScript, List.of());
        String finalJob = cluster.submit(finalScript, arrayJob == null ? List.of() : dependency(arrayJob));
        log(dir, new Logged(arrayJob, finalJob, n, tasks, Instant.now().toString()));
        String msg = (arrayJob == null ? "every shard is done; submitted Slurm job " + finalJob + " for the " + last
                : "submitted Slurm job " + arrayJob + " for " + what + " and job " + finalJob + " for the " + last
                        + " (starts when every task of " + arrayJob + " succeeded)")
                + "; scripts in " + slurmDir + ", task logs in " + slurmDir.resolve("logs") + "\nWatch it: " + statusCmd;
        return new Submission(arrayJob, finalJob, scripts, tasks, msg);
    }

    /** The final job's sbatch options: start after every task of {@code arrayJob} succeeded, and die if one failed. */
    static List<String> dependency(String arrayJob) {
        return List.of("--dependency=afterok:" + arrayJob, "--kill-on-invalid-dep=yes");
    }

    /** Two submissions at once would run a shard twice: refuse while the last one's jobs are queued or running. */
    private static void refuseWhileQueued(Path dir, Cluster cluster) {
        Optional<Logged> last = lastSubmission(dir);
        if (last.isEmpty()) return;
        List<String> queued = new ArrayList<>();
        for (String job : new String[] {last.get().arrayJob(), last.get().finalJob()}) {
            if (job != null && !cluster.tasks(job).isEmpty()) queued.add(job);
        }
        if (!queued.isEmpty()) {
            throw new SweepException("jobs " + String.join(", ", queued) + " of the last submission into " + dir + " are still"
                    + " queued or running; wait for them (sweep --status) or scancel them, then submit again");
        }
    }

    /** {@link #status(ExperimentPlan, Path, int, Function)} asking Slurm's queue. */
    public static StagedStatus status(ExperimentPlan plan, Path runDir, int shards) {
        return status(plan, runDir, shards, Cluster.SLURM::tasks);
    }

    /**
     * Progress of a staged plan in {@code runDir}: per text, per shard of {@code shards} (0: the last submission's,
     * else the shard count the run folder's files name, else 1), the final job, and the capacity once known.
     */
    static StagedStatus status(ExperimentPlan plan, Path runDir, int shards, Function<String, Map<String, String>> queue) {
        Path dir = runDir.toAbsolutePath().normalize();
        CapacitySearch search = CapacitySearch.fromPlan(plan);
        StagedProgress progress = StagedProgress.read(dir);
        Optional<Logged> last = lastSubmission(dir);
        int n = shards > 0 ? shards : last.map(Logged::shards).orElseGet(() -> progress.shardCountSeen());
        n = Math.min(n, search.texts().size());
        boolean submittedAsN = last.isPresent() && last.get().shards() == n;
        Map<String, String> arrayTasks = submittedAsN && last.get().arrayJob() != null ? queue.apply(last.get().arrayJob()) : Map.of();
        boolean stopsAtFirstFailure = plan.strategy().equalsIgnoreCase("warm"); // a warm text ends at its first failing length
        Map<String, List<RunRecord>> repairRuns = new java.util.HashMap<>(); // the repair's grid runs, by text
        RecordStore.read(dir).all().forEach(r -> repairRuns.computeIfAbsent(r.text().textId(), k -> new ArrayList<>()).add(r));
        List<StagedStatus.TextRow> texts = new ArrayList<>();
        for (int j = 0; j < search.texts().size(); j++) {
            CapacitySearch.Candidate c = search.texts().get(j);
            StagedProgress.TextStages st = progress.stages(c.text().id());
            List<RunRecord> runs = repairRuns.getOrDefault(c.text().id(), List.of());
            int longest = Math.max(st.longestPassed(), runs.stream().filter(r -> r.metrics().bestAccuracy() >= 1.0)
                    .mapToInt(r -> r.text().length()).max().orElse(0));
            boolean ended = stopsAtFirstFailure && st.stages() > 0 && (!st.lastPassed() || st.lastLength() >= c.tokens());
            texts.add(new StagedStatus.TextRow(c.text().id(), new Shard(j % n, n), st.stages(), st.lastLength(), st.lastPassed(),
                    longest, runs.size(), ended || progress.textFinished(c.text().id())));
        }
        List<StagedStatus.ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Shard s = new Shard(i, n);
            List<StagedStatus.TextRow> mine = texts.stream().filter(t -> t.shard().equals(s)).toList();
            Optional<StagedProgress.Marker> m = progress.shard(s);
            boolean submitted = submittedAsN && last.get().arrayJob() != null && last.get().tasks().contains(i);
            String state = m.isPresent() || progress.plan().isPresent() ? "done"
                    : arrayTasks.containsKey(String.valueOf(i)) ? arrayTasks.get(String.valueOf(i))
                    : submitted ? StagedStatus.FAILED : StagedStatus.NOT_STARTED;
            rows.add(new StagedStatus.ShardRow(s, mine.size(), (int) mine.stream().filter(StagedStatus.TextRow::done).count(), state,
                    submitted ? last.get().arrayJob() + "_" + i : null, m.map(StagedProgress.Marker::capacity).orElse(null)));
        }
        String finalJob = last.map(Logged::finalJob).orElse(null);
        Map<String, String> finalQueue = finalJob == null ? Map.of() : queue.apply(finalJob);
        String finalState = progress.plan().isPresent() ? "done"
                : !finalQueue.isEmpty() ? finalQueue.values().iterator().next()
                : finalJob != null ? StagedStatus.FAILED : StagedStatus.NOT_STARTED;
        StagedStatus.FinalRow fin = new StagedStatus.FinalRow(finalName(plan), finalState, finalJob,
                last.map(Logged::arrayJob).orElse(null));
        Optional<StagedProgress.Marker> done = progress.plan();
        return new StagedStatus(plan.name(), plan.strategy() + (plan.isRepair() ? "+repair" : ""), search.nMem(), texts, rows, fin,
                done.map(StagedProgress.Marker::capacity).orElse(null), done.map(StagedProgress.Marker::steps).orElse(null));
    }

    private static Path write(Path script, String text, StringBuilder shown) {
        try {
            Files.createDirectories(script.getParent().resolve("logs"));
            Files.writeString(script, text, StandardCharsets.UTF_8);
            script.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new SweepException("cannot write sbatch script " + script + ": " + e.getMessage(), e);
        }
        shown.append("--- ").append(script).append('\n').append(text);
        return script;
    }

    private static void log(Path dir, Logged entry) {
        Sweep.appendLog(dir, LOG, entry);
    }

    static Optional<Logged> lastSubmission(Path dir) {
        return Sweep.lastLogged(dir, LOG, Logged.class).filter(l -> l.shards() >= 1);
    }
}
