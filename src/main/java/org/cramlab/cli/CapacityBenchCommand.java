package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cramlab.capacity.SearchMethod;
import org.cramlab.capacity.Strategy;
import org.cramlab.bench.CapacityBench;
import org.cramlab.cram.CramSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench capacity}: capacity strategies against the paper's grid, steps and wall time. */
@Command(name = "capacity", mixinStandardHelpOptions = true,
        description = {"Find the paper's decoding capacity with each strategy (grid, warm, bisect, progressive) on the same",
                "model, texts, grid and seed; print capacity, optimisation steps, steps relative to grid, wall time."},
        footer = {"%nExample:", "  java -jar lib/cramlab.jar bench capacity --count 6 --grid 2,4,8,16"})
public final class CapacityBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SeedOption seed; // memory init and text sampling

    @Mixin
    ModelOption model;

    @Option(names = "--texts", defaultValue = "book", paramLabel = "book|stories",
            description = "Held-out book chunks, or cramlab's short TinyStories-style stories (default: ${DEFAULT-VALUE}).")
    String texts;

    @Option(names = "--count", defaultValue = "12", description = "Number of texts (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--grid", split = ",", defaultValue = "2,3,4,5,6,8,12,16", paramLabel = "L,L",
            description = "Length grid (default: ${DEFAULT-VALUE}, around the default model's one-vector capacity).")
    List<Integer> grid;

    @Option(names = "--mem", defaultValue = "1", paramLabel = "K", description = "Memory vectors (default: ${DEFAULT-VALUE}).")
    int mem;

    @Option(names = "--strategies", split = ",", defaultValue = "grid,warm,bisect,progressive",
            description = "Strategies; grid always runs as the reference (default: ${DEFAULT-VALUE}).")
    List<String> strategies;

    @Option(names = "--grid-steps", defaultValue = "5000", description = "Step cap of a grid run (paper: ${DEFAULT-VALUE}).")
    int gridSteps;

    @Option(names = "--grid-patience", defaultValue = "2000", description = "Patience of a grid run (paper: ${DEFAULT-VALUE}).")
    int gridPatience;

    @Option(names = "--stage-steps", description = "Step budget of a stage (default: ${DEFAULT-VALUE}, as capacity).")
    int stageSteps = SearchMethod.DEFAULT_STAGE_STEPS;

    @Option(names = "--stage-patience", description = "Patience of a stage (default: ${DEFAULT-VALUE}, as capacity).")
    int stagePatience = SearchMethod.DEFAULT_STAGE_PATIENCE;

    @Option(names = "--grow", description = "Tokens added per progressive stage (default: ${DEFAULT-VALUE}).")
    int grow = SearchMethod.DEFAULT_GROW;

    @Option(names = "--batch", defaultValue = "12", description = "Runs (texts) optimised together (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--restart", description = "Staged strategies retry a failed warm-started stage once from a random memory.")
    boolean restart;

    @Option(names = "--repair", negatable = true, description = {"Staged strategies (on by default, as capacity): after the",
            "staged pass, re-run the texts below 1.0 at the failing grid lengths near the boundary with the grid's own run",
            "(budget, seed), until a length passes or cannot. Prints each strategy before and after (+repair)."})
    boolean repair = SearchMethod.DEFAULT_REPAIR;

    @Option(names = "--reference-csv", paramLabel = "F",
            description = "Reuse the grid row of an earlier run's --csv (same model, texts, grid, seed) instead of rerunning grid.")
    Path referenceCsv;

    @Mixin
    ReportOutput report;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        CramSettings gridSettings = CramSettings.builder().optMaxSteps(gridSteps).optPatience(gridPatience)
                .optBatchSize(batch).optSeed(seed.seed()).build();
        if (stageSteps < 1) throw new org.cramlab.bench.BenchException("--stage-steps must be >= 1, got " + stageSteps);
        if (stagePatience < 1) throw new org.cramlab.bench.BenchException("--stage-patience must be >= 1, got " + stagePatience);
        CramSettings stageSettings = CramSettings.builder().optMaxSteps(stageSteps)
                .optPatience(stagePatience).optBatchSize(batch).optSeed(seed.seed()).build();
        CapacityBench.Options o = new CapacityBench.Options(model.directory(),
                texts, count, grid, mem, gridSettings, stageSettings,
                strategies.stream().map(Strategy::parse).toList(), grow, seed.seed(), restart, repair, referenceCsv);
        return report.show(CapacityBench.run(o, err), spec);
    }
}
