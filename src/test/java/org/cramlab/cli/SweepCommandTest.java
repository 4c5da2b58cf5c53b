package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cramlab.experiment.CapacityVsLength;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.Profile;
import org.cramlab.sweep.SlurmOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SweepCommandTest {

    /** Runs a cramlab command line, returning exit code and stdout+stderr. */
    private static Map.Entry<Integer, String> run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(ps);
        System.setErr(ps);
        try {
            int code = Main.commandLine().execute(args);
            return Map.entry(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void slurmOptionsMapOneToOne() {
        SweepCommand c = new SweepCommand();
        new CommandLine(c).parseArgs("--plan", "p.json", "--out", "r", "--slurm", "--array", "8", "--max-parallel", "2",
                "--gpus-per-task", "1", "--cpus-per-task", "4", "--partition", "gpu", "--time", "4:00:00", "--node-mem", "16G",
                "--account", "lab", "--job-name", "cvl", "--java-opts", " -Xmx8g  -Dx=y ", "--sbatch-arg", "--qos=long",
                "--sbatch-arg", "--exclusive", "--device", "gpu", "--batch-size", "16");
        SlurmOptions expected = SlurmOptions.builder().optShards(8).optMaxParallel(2).optGpusPerTask(1).optCpusPerTask(4)
                .optPartition("gpu").optTime("4:00:00").optMem("16G").optAccount("lab").optJobName("cvl")
                .addJavaOpts(List.of("-Xmx8g", "-Dx=y")).addSbatchArgs(List.of("--qos=long", "--exclusive"))
                .addSweepArgs(List.of("--device", "gpu", "--dtype", "float32", "--batch-size", "16")).build();
        assertEquals(expected, c.slurmOptions());
    }

    @Test
    void planCommandWritesTheNotebooksPlanAndStatusReadsIt(@TempDir Path dir) {
        Path planFile = dir.resolve("plan.json");
        Map.Entry<Integer, String> r = run("plan", "--experiment", "capacity-vs-length", "--profile", "smoke",
                "--models", "/models/tiny", "--seed", "3", "--lengths", "8,16", "--texts", "2", "--out", planFile.toString());
        assertEquals(0, r.getKey(), r.getValue());
        // Built as a notebook builds it: profile from the environment variables, then the experiment's plan().
        Profile p = Profile.fromEnv(Map.of(Profile.ENV_PROFILE, "smoke", Profile.ENV_MODELS, "/models/tiny",
                Profile.ENV_SEED, "3"), Path.of("unused"));
        Profile small = new Profile(p.name(), p.modelDirs(), p.naturalSource(), p.naturalPath(), 2, p.randomTexts(),
                p.randomMaxLength(), p.randomVocab(), List.of(8, 16), p.memoryVectors(), p.maxSteps(), p.patience(),
                p.batchSize(), p.seed(), p.geometryTexts(), p.geometrySeeds(), p.geometryLength(), p.interpolationPoints());
        ExperimentPlan expected = new CapacityVsLength(small).plan();
        ExperimentPlan written = ExperimentPlan.load(planFile);
        assertEquals(expected, written);
        assertEquals(4, written.runs().size());

        Map.Entry<Integer, String> st = run("sweep", "--status", "--plan", planFile.toString(), "--out",
                dir.resolve("run").toString(), "--array", "2");
        assertEquals(0, st.getKey(), st.getValue());
        assertTrue(st.getValue().contains("capacity-vs-length: 0/4 runs done"), st.getValue());
        assertTrue(st.getValue().contains("shard 1/2"), st.getValue());
    }

    @Test
    void badInputGivesAMessageNotAStackTrace(@TempDir Path dir) throws Exception {
        Map.Entry<Integer, String> r = run("plan", "--experiment", "nope", "--models", "/m", "--out",
                dir.resolve("p.json").toString());
        assertEquals(2, r.getKey());
        assertTrue(r.getValue().contains("unknown experiment 'nope'"), r.getValue());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"name\": \"x\"}");
        Map.Entry<Integer, String> s = run("sweep", "--plan", bad.toString(), "--out", dir.toString(), "--shard", "0/2");
        assertEquals(2, s.getKey());
        assertTrue(s.getValue().contains(bad.toString()) && !s.getValue().contains("\tat "), s.getValue());

        Path missing = dir.resolve("missing.json");
        Map.Entry<Integer, String> m = run("sweep", "--status", "--plan", missing.toString(), "--out", dir.toString());
        assertEquals(2, m.getKey());
        assertTrue(m.getValue().contains("cannot read plan file " + missing), m.getValue());
    }
}
