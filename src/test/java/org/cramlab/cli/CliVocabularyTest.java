package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.core.Versions;
import org.cramlab.cram.CramSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** One CLI vocabulary: each shared option declared once, one seed default, --mem is K, help ends with an example. */
class CliVocabularyTest {

    static Outcome run(String... args) {
        return CramCommandTest.run(args);
    }

    /** Every command and subcommand, e.g. "bench capacity". */
    static List<CommandLine> everyCommand() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> all) {
        all.add(cl);
        cl.getSubcommands().values().forEach(c -> collect(c, all));
    }

    @Test
    void everyHelpEndsWithAnExampleOfThatCommand() {
        for (CommandLine cl : everyCommand()) {
            List<String> lines = cl.getUsageMessage().strip().lines().toList();
            String name = cl.getCommandSpec().qualifiedName(" ").replaceFirst("^cramlab ?", "");
            int header = lines.size() - 1;
            while (header > 0 && !lines.get(header).startsWith("Example")) header--;
            assertTrue(header > 0 && header < lines.size() - 1, name + " has no example:\n" + cl.getUsageMessage());
            for (String example : lines.subList(header + 1, lines.size())) { // whole lines: none wrapped
                assertTrue(example.strip().startsWith("java -jar lib/cramlab.jar " + name), name + ": " + example);
            }
        }
    }

    @Test
    void sharedOptionsAreDeclaredOnceWithOneDefault() {
        Map<String, Set<String>> descriptions = Map.of("--seed", new HashSet<>(), "--model", new HashSet<>(),
                "--device", new HashSet<>(), "--dtype", new HashSet<>(), "--threads", new HashSet<>());
        int seeds = 0;
        for (CommandLine cl : everyCommand()) {
            for (OptionSpec o : cl.getCommandSpec().options()) {
                Set<String> seen = descriptions.get(o.longestName());
                if (seen != null) seen.add(String.join(" ", o.description()) + " default=" + o.defaultValue());
                if (o.longestName().equals("--seed")) seeds++;
            }
        }
        descriptions.forEach((option, seen) -> assertEquals(1, seen.size(), option + " is declared differently: " + seen));
        assertEquals(11, seeds, "cram, capacity, init, plan, texts, train-default, eval-default, bench, bench capacity, bench paths, compress");
        assertEquals(CramSettings.paper().seed(), SeedOption.DEFAULT, "the one default is the engine's");
    }

    @Test
    void memIsTheNumberOfMemoryVectorsEverywhere() {
        for (CommandLine cl : everyCommand()) {
            OptionSpec mem = cl.getCommandSpec().findOption("--mem");
            if (mem != null && !mem.hidden()) {
                assertEquals("K", mem.paramLabel(), cl.getCommandName() + " --mem");
            }
        }
        OptionSpec node = Main.commandLine().getSubcommands().get("sweep").getCommandSpec().findOption("--node-mem");
        assertTrue(String.join(" ", node.description()).contains("memory per task's node"));
    }

    @Test
    void sweepRefusesTheOldSpellingOfNodeMemNamingTheNewOne() {
        Outcome o = run("sweep", "--plan", "plan.json", "--out", "runs", "--slurm", "--mem", "16G");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().startsWith("sweep: --mem is K") && o.err().contains("--node-mem 16G"), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
    }

    @Test
    void subcommandVersionPrintsTheVersions() {
        for (String[] args : List.of(new String[] {"cram", "-V"}, new String[] {"bench", "capacity", "--version"})) {
            Outcome o = run(args);
            assertEquals(0, o.code(), o.err());
            assertTrue(o.out().startsWith("cramlab " + Versions.all().get("cramlab")), String.join(" ", args) + ": " + o.out());
        }
    }

    @Test
    void verboseIsAcceptedByEveryCommand() {
        for (CommandLine cl : everyCommand()) {
            assertTrue(cl.getCommandSpec().findOption("--verbose") != null, cl.getCommandName());
        }
    }

    @Test
    void loggingIsQuietUnlessVerboseOrCramlabLog() {
        String level = "org.slf4j.simpleLogger.defaultLogLevel", djl = "org.slf4j.simpleLogger.log.ai.djl.util";
        Map<String, String> quiet = Logging.properties(new String[] {"cram"}, Map.of());
        assertEquals("warn", quiet.get(level));
        assertEquals("off", quiet.get(djl));
        Map<String, String> verbose = Logging.properties(new String[] {"cram", "--verbose"}, Map.of());
        assertEquals("info", verbose.get(level));
        assertEquals("info", verbose.get(djl));
        Map<String, String> env = Logging.properties(new String[] {"cram"}, Map.of(Logging.ENV, "DEBUG"));
        assertEquals("debug", env.get(level));
        assertEquals("debug", env.get(djl));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Logging.properties(new String[0], Map.of(Logging.ENV, "loud")));
        assertEquals("CRAMLAB_LOG must be one of trace, debug, info, warn, error, off, got 'loud'", bad.getMessage());
        assertFalse(quiet.containsValue("loud"));
    }
}
