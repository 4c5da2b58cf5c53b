package org.cramlab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SbatchScriptTest {
    private static final Launcher JAR = new Launcher("/opt/jdk/bin/java", List.of("-jar", "/shared/lib/cramlab.jar"));

    private static SbatchScript script(SlurmOptions o, List<Integer> tasks, int shards) {
        return new SbatchScript(Path.of("/shared/plans/p.json"), Path.of("/shared/runs/a"), shards, tasks,
                "cramlab-p", JAR, o);
    }

    @Test
    void everyOptionBecomesOneSbatchLine() {
        SlurmOptions o = SlurmOptions.builder().optShards(4).optMaxParallel(2).optGpusPerTask(1).optCpusPerTask(6)
                .optPartition("gpu").optTime("2:00:00").optMem("32G").optAccount("lab")
                .addSbatchArgs(List.of("--qos=long")).addJavaOpts(List.of("-Xmx8g"))
                .addSweepArgs(List.of("--device", "gpu")).build();
        List<String> lines = script(o, List.of(0, 1, 2, 3), 4).render().lines().toList();
        assertEquals("#!/bin/bash", lines.get(0));
        for (String expected : List.of("#SBATCH --job-name=cramlab-p", "#SBATCH --array=0-3%2", "#SBATCH --ntasks=1",
                "#SBATCH --output=/shared/runs/a/slurm/logs/%x-%A_%a.out", "#SBATCH --cpus-per-task=6",
                "#SBATCH --gpus-per-task=1", "#SBATCH --mem=32G", "#SBATCH --time=2:00:00",
                "#SBATCH --partition=gpu", "#SBATCH --account=lab", "#SBATCH --qos=long", "SHARDS=4")) {
            assertTrue(lines.contains(expected), "missing line " + expected + " in\n" + String.join("\n", lines));
        }
        // Slurm stops reading #SBATCH lines at the first command: all must come before it.
        int firstCommand = lines.indexOf("set -euo pipefail");
        for (int i = firstCommand; i < lines.size(); i++) assertFalse(lines.get(i).startsWith("#SBATCH"));
        assertEquals("exec \"${CRAMLAB_JAVA:-/opt/jdk/bin/java}\" -Djdk.lang.processReaperUseDefaultStackSize=true -Xmx8g -jar /shared/lib/cramlab.jar sweep"
                + " --plan /shared/plans/p.json --shard \"${SLURM_ARRAY_TASK_ID}/${SHARDS}\" --out /shared/runs/a"
                + " --device gpu", lines.get(lines.size() - 1));
    }

    @Test
    void unsetOptionsWriteNoLine() {
        String text = script(SlurmOptions.defaults(), List.of(0, 1, 2), 3).render();
        for (String absent : List.of("--gpus-per-task", "--cpus-per-task", "--mem", "--time", "--partition", "--account")) {
            assertFalse(text.contains(absent), absent + " in\n" + text);
        }
        assertTrue(text.contains("#SBATCH --array=0-2\n"), text);
    }

    @Test
    void subsetOfShardsIsAListAndSingleTaskIsOneIndex() {
        assertEquals("1,4,6", script(SlurmOptions.defaults(), List.of(1, 4, 6), 8).arraySpec());
        assertEquals("5", script(SlurmOptions.defaults(), List.of(5), 8).arraySpec());
        assertEquals("2-4", script(SlurmOptions.defaults(), List.of(2, 3, 4), 8).arraySpec());
        assertThrows(SweepException.class, () -> script(SlurmOptions.defaults(), List.of(8), 8));
        assertThrows(SweepException.class, () -> script(SlurmOptions.defaults(), List.of(), 8));
    }

    @Test
    void argumentsWithSpacesOrQuotesAreShellQuoted() {
        assertEquals("plain-arg_1.json", SbatchScript.quote("plain-arg_1.json"));
        assertEquals("'a b'", SbatchScript.quote("a b"));
        assertEquals("'it'\\''s'", SbatchScript.quote("it's"));
        assertEquals("'$HOME'", SbatchScript.quote("$HOME"));
        String text = new SbatchScript(Path.of("/my plans/p.json"), Path.of("/runs/x"), 1, List.of(0), "j", JAR,
                SlurmOptions.defaults()).render();
        assertTrue(text.contains("--plan '/my plans/p.json'"), text);
    }

    @Test
    void badOptionValuesAreRejectedWithTheValue() {
        SweepException e = assertThrows(SweepException.class, () -> SlurmOptions.builder().optTime("2 hours").build());
        assertTrue(e.getMessage().contains("--time") && e.getMessage().contains("2 hours"), e.getMessage());
        assertThrows(SweepException.class, () -> SlurmOptions.builder().optMem("lots").build());
        assertThrows(SweepException.class, () -> SlurmOptions.builder().optPartition("a\n#SBATCH x").build());
        assertThrows(SweepException.class, () -> SlurmOptions.builder().optGpusPerTask(-1).build());
        assertThrows(SweepException.class, () -> SlurmOptions.builder().addSbatchArgs(List.of("qos=long")).build());
    }

    @Test
    void defaultShardCountFollowsThePlanSize() {
        assertEquals(3, SlurmOptions.defaults().shardsFor(3));
        assertEquals(SlurmOptions.DEFAULT_MAX_SHARDS, SlurmOptions.defaults().shardsFor(1000));
        assertEquals(1, SlurmOptions.defaults().shardsFor(0));
        assertEquals(5, SlurmOptions.builder().optShards(5).build().shardsFor(1000));
    }
}
