package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cramlab.bench.BenchOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The bench command's defaults are {@link BenchOptions}'s, and a given list replaces its default. */
class BenchCommandTest {

    @Test
    void defaultsComeFromBenchOptions() {
        BenchCommand cmd = new BenchCommand();
        new CommandLine(cmd).parseArgs();
        assertEquals(BenchOptions.DEFAULT_LENGTHS, cmd.lengths);
        assertEquals(BenchOptions.DEFAULT_BATCHES, cmd.batches);
        assertEquals(BenchOptions.DEFAULT_WARMUP, cmd.warmup);
        assertEquals(BenchOptions.DEFAULT_RSS_STEPS, cmd.rssSteps);
        assertEquals(BenchOptions.DEFAULT_LOAD_SHARDS, cmd.loadShards);
        String help = new CommandLine(new BenchCommand()).getUsageMessage();
        assertTrue(help.contains("(default: " + BenchOptions.DEFAULT_WARMUP + ")"), help);
        assertTrue(help.contains("64, 256, 1024"), help);
    }

    @Test
    void givenListsReplaceTheDefaults() {
        BenchCommand cmd = new BenchCommand();
        new CommandLine(cmd).parseArgs("--lengths", "32,48", "--batches", "2", "--warmup", "7");
        assertEquals(List.of(32, 48), cmd.lengths);
        assertEquals(List.of(2), cmd.batches);
        assertEquals(7, cmd.warmup);
    }
}
