package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An option that would be ignored is refused, naming it and what it needs: one rule ({@link Options}), one line. */
class IgnoredOptionsTest {

    static void assertRefused(String option, String needs, String... args) {
        Outcome o = CramCommandTest.run(args);
        String command = args[0];
        assertEquals(2, o.code(), String.join(" ", args) + ": " + o.err());
        assertEquals(command + ": " + option + " applies " + needs + ": it would be ignored here", o.err().strip(),
                String.join(" ", args));
        assertEquals("", o.out());
    }

    @Test
    void cramGrowAndCriterionNeedProgressive() {
        String llama = CramCommandTest.llama();
        assertRefused("--grow", "only with --progressive", "cram", "--model", llama, "--ids", "1,2,3", "--grow", "2");
        assertRefused("--criterion", "only with --progressive", "cram", "--model", llama, "--ids", "1,2,3", "--criterion",
                "teacher-forced");
    }

    @Test
    void capacityGrowAndStageStepsNeedTheirStrategies(@TempDir Path dir) throws Exception {
        Path texts = Files.writeString(dir.resolve("t.txt"), "one text here\n");
        for (String strategy : List.of("grid", "warm", "bisect")) {
            assertRefused("--grow", "only with --strategy progressive", "capacity", "--texts", texts.toString(), "--strategy",
                    strategy, "--grow", "2", "--out", dir.resolve("o").toString());
        }
        assertRefused("--stage-steps", "only with a staged --strategy (warm, bisect, progressive)", "capacity", "--texts",
                texts.toString(), "--stage-steps", "300", "--out", dir.resolve("o").toString());
        assertRefused("--repair", "only with a staged --strategy (warm, bisect, progressive)", "capacity", "--texts",
                texts.toString(), "--repair", "--out", dir.resolve("o").toString());
    }

    @Test
    void sweepShardIsForARunHere(@TempDir Path dir) {
        Path plan = dir.resolve("plan.json");
        assertEquals(0, CramCommandTest.run("plan", "--experiment", "capacity-vs-length", "--lengths", "4", "--texts", "1",
                "--out", plan.toString()).code());
        String needs = "to a run here, not with --status or --slurm (they cover every shard; --slurm's are --array)";
        for (String mode : List.of("--status", "--slurm")) {
            assertRefused("--shard", needs, "sweep", "--plan", plan.toString(), "--out", dir.resolve("runs").toString(), mode,
                    "--shard", "1/2");
        }
        assertRefused("--dry-run", "only with --slurm", "sweep", "--plan", plan.toString(), "--out",
                dir.resolve("runs").toString(), "--dry-run");
        assertRefused("--node-mem", "only with --slurm", "sweep", "--plan", plan.toString(), "--out",
                dir.resolve("runs").toString(), "--status", "--node-mem", "16G");
    }

    @Test
    void planOptionsOnlyTheExperimentUses(@TempDir Path dir) {
        String out = dir.resolve("p.json").toString();
        assertRefused("--memory-vectors", "only to --experiment capacity-vs-memory-vectors (the others run K = 1)", "plan",
                "--experiment", "capacity-vs-length", "--memory-vectors", "1,2", "--out", out);
        assertRefused("--random-texts", "only to --experiment capacity-vs-entropy (the only one with random texts)", "plan",
                "--experiment", "capacity-vs-length", "--random-texts", "3", "--out", out);
        assertTrue(Files.notExists(Path.of(out)), "nothing written");
        Outcome honoured = CramCommandTest.run("plan", "--experiment", "capacity-vs-memory-vectors", "--memory-vectors", "1,2",
                "--lengths", "4", "--texts", "1", "--out", out);
        assertEquals(0, honoured.code(), honoured.err());
        assertEquals(List.of(1, 2), org.cramlab.run.ExperimentPlan.load(Path.of(out)).runs().stream()
                .map(r -> r.nMem()).distinct().sorted().toList());
    }
}
