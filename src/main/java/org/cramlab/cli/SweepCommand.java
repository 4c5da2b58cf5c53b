package org.cramlab.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cramlab.cram.CramSettings;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.init.LearnedInit;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.PlanTexts;
import org.cramlab.model.LoadOptions;
import org.cramlab.model.Models;
import org.cramlab.sweep.RunnerExecutor;
import org.cramlab.sweep.Launcher;
import org.cramlab.sweep.Shard;
import org.cramlab.sweep.ShardExecutor;
import org.cramlab.sweep.ShardResult;
import org.cramlab.sweep.StagedSweep;
import org.cramlab.sweep.SlurmOptions;
import org.cramlab.sweep.Submission;
import org.cramlab.sweep.Sweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sweep --plan F --out RUNDIR [--shard i/n]} runs (a shard of) a plan here;
 * {@code --slurm} submits it as a job array; {@code --status} shows progress from the records. A plan naming a
 * staged capacity strategy (see {@code plan --strategy}) runs here, sharded by text.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = {
            "Run an experiment plan into a run folder, here (default) or as a Slurm job array.",
            "Runs already recorded in RUNDIR are skipped, so rerunning the same command after a failure",
            "runs only what is missing. RUNDIR must be on a filesystem all nodes share."
        },
        footer = {"%nExamples:", "  java -jar lib/cramlab.jar sweep --plan p.json --out runs --shard 0/2",
            "  java -jar lib/cramlab.jar sweep --plan p.json --out r --slurm --node-mem 16G"})
public final class SweepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--plan", required = true, paramLabel = "F", description = "plan file (JSON, see `plan`)")
    Path plan;

    @Option(names = "--out", required = true, paramLabel = "RUNDIR", description = "run folder (records, memories)")
    Path out;

    @Option(names = "--shard", paramLabel = "i/n", defaultValue = "0/1",
            description = "run shard i of n: the runs whose id is i modulo n (default ${DEFAULT-VALUE}: all)")
    String shard;

    @Option(names = "--status", description = "print runs done/total per shard (and the Slurm queue) and exit")
    boolean status;

    @Option(names = "--slurm", description = "write an sbatch job array (one task per shard) and submit it if sbatch is on the PATH")
    boolean slurm;

    @Option(names = "--dry-run", description = "--slurm: write the sbatch script(s) and show them; submit nothing")
    boolean dryRun;

    @Option(names = "--array", paramLabel = "N", description = "--slurm: number of shards/array tasks (default min(runs, 16)); --status: shards to show")
    int array;

    @Option(names = "--max-parallel", paramLabel = "M", description = "--slurm: at most M tasks at once")
    int maxParallel;

    @Option(names = "--gpus-per-task", paramLabel = "G", description = "--slurm: GPUs per task (then also pass --device gpu)")
    int gpusPerTask;

    @Option(names = "--cpus-per-task", paramLabel = "C", description = "--slurm: CPUs per task")
    int cpusPerTask;

    @Option(names = "--partition", paramLabel = "P", description = "--slurm: partition")
    String partition;

    @Option(names = "--time", paramLabel = "T", description = "--slurm: time limit per task, e.g. 4:00:00")
    String time;

    @Option(names = "--node-mem", paramLabel = "M", description = "--slurm: memory per task's node, e.g. 16G")
    String nodeMem;

    // --mem means K (memory vectors) in every other command: the old spelling of --node-mem is refused, not guessed
    @Option(names = "--mem", hidden = true)
    String oldNodeMem;

    @Option(names = "--account", paramLabel = "A", description = "--slurm: account to charge")
    String account;

    @Option(names = "--job-name", paramLabel = "NAME", description = "--slurm: job name (default cramlab-<plan name>)")
    String jobName;

    @Option(names = "--java-opts", paramLabel = "OPTS", description = "--slurm: JVM options for each task, e.g. \"-Xmx8g\"")
    String javaOpts;

    @Option(names = "--sbatch-arg", paramLabel = "ARG", description = "--slurm: extra sbatch option, e.g. --qos=long (repeatable)")
    List<String> sbatchArgs = new ArrayList<>();

    @Option(names = "--jar", paramLabel = "JAR", description = "--slurm: cramlab jar the tasks run (default: the one running now)")
    Path jar;

    @Mixin
    DeviceOptions deviceOptions; // passed on to Slurm tasks

    @Option(names = "--batch-size", paramLabel = "B", description = "runs optimised together (default ${DEFAULT-VALUE}); passed on to Slurm tasks")
    int batchSize = CramSettings.paper().batchSize();

    @Override
    public Integer call() {
        if (oldNodeMem != null) {
            throw new ExperimentException("--mem is K (memory vectors) in cramlab and a plan fixes it; the Slurm node memory"
                    + " is --node-mem (e.g. --node-mem " + oldNodeMem + ")");
        }
        Options.refuseUnless(spec, "--shard", !status && !slurm, "to a run here, not with --status or --slurm"
                + " (they cover every shard; --slurm's are --array)");
        for (String slurmOnly : List.of("--dry-run", "--max-parallel", "--gpus-per-task", "--cpus-per-task", "--partition",
                "--time", "--node-mem", "--account", "--job-name", "--java-opts", "--sbatch-arg", "--jar")) {
            Options.refuseUnless(spec, slurmOnly, slurm, "only with --slurm");
        }
        PrintStream out = System.out;
        ExperimentPlan p = ExperimentPlan.load(plan);
        if (!p.isGrid()) return runStaged(p, spec.commandLine().getOut());
        if (status) {
            out.print(array > 0 ? Sweep.status(p, this.out, array, null).render() : Sweep.status(p, this.out).render());
            return 0;
        }
        if (slurm) {
            Submission s = dryRun ? Sweep.write(p, this.out, slurmOptions(), launcher()) : Sweep.submit(p, this.out, slurmOptions(), launcher());
            out.println(s.message());
            return 0;
        }
        ShardResult r = Sweep.runShard(p, Shard.parse(shard), this.out, executor(p));
        out.println(r);
        return 0;
    }

    SlurmOptions slurmOptions() {
        List<String> jvm = javaOpts == null || javaOpts.isBlank() ? List.of() : Arrays.asList(javaOpts.strip().split("\\s+"));
        return SlurmOptions.builder().optShards(array).optMaxParallel(maxParallel).optGpusPerTask(gpusPerTask)
                .optCpusPerTask(cpusPerTask).optPartition(partition).optTime(time).optMem(nodeMem).optAccount(account)
                .optJobName(jobName).addJavaOpts(jvm).addSbatchArgs(sbatchArgs)
                .addSweepArgs(concat(deviceOptions.asArgs(), List.of("--batch-size", String.valueOf(batchSize)))).build();
    }

    private Launcher launcher() {
        return jar != null ? Launcher.ofJar(jar) : Launcher.current();
    }

    /**
     * A plan naming a staged capacity strategy (warm, bisect, progressive): each text's lengths are a chain of
     * warm-started stages, so the shards split texts, not runs ({@link StagedSweep}); each text's stages are persisted
     * at once and resumed. Prints the capacity: of the shard's texts only for a shard, said so.
     */
    private int runStaged(ExperimentPlan p, java.io.PrintWriter out) {
        if (status) {
            out.print(StagedSweep.status(p, this.out, array).render());
        } else if (slurm) {
            out.println(StagedSweep.submit(p, this.out, slurmOptions(), launcher(), dryRun).message());
        } else {
            Shard s = Shard.parse(shard);
            StagedSweep.ShardOutcome r = StagedSweep.runShard(p, s, this.out, runner(p), Shard.currentWriterTag());
            String table = CapacityCommand.table(r.result());
            if (r.partial()) {
                out.println("shard " + shard + ": " + r.texts() + " of " + r.planTexts() + " texts");
                table = table.replaceFirst("(?m)^decoding capacity \\(K=\\d+\\): .*$", java.util.regex.Matcher.quoteReplacement(r.partialCapacityLine()));
            }
            out.println(table);
        }
        out.flush();
        return 0;
    }

    /** The experiment runner each shard uses: the plan's text sources, the model on --device/--dtype. */
    private ShardExecutor executor(ExperimentPlan p) {
        return new RunnerExecutor(runner(p));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private ExperimentRunner runner(ExperimentPlan p) {
        LoadOptions load = deviceOptions.loadOptions();
        LearnedInit init = PlanInit.read(plan, p); // plan --init wrote it beside the plan
        return ExperimentRunner.builder().optTexts(PlanTexts.forPlan(p)).optBatchSize(batchSize)
                .optModelLoader(dir -> Models.load(dir, load))
                .optParams(Map.of("shard", shard, "device", deviceOptions.device, "dtype", deviceOptions.dtype, "batch_size", batchSize,
                        RunInit.KEY, init == null ? RunInit.RANDOM : init.label()))
                .optInit(init).build();
    }
}
