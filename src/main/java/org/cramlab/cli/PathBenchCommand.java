package org.cramlab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cramlab.bench.PathBench;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.BlockPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench paths}: cramlab's step on its block paths, paired in one JVM. */
@Command(name = "paths", mixinStandardHelpOptions = true,
        description = {"Time cramlab's optimisation step (K = 1) on each block path (explicit ops, fused blocks, the fused",
                "decoder layer), the model loaded once per path in one JVM, in alternating rounds after warm-up;",
                "per length and path the median step time and the paired per-round ratio to the first path."},
        footer = {"%nExample:", "  java -jar lib/cramlab.jar bench paths --threads 1 --lengths 64,256"})
public final class PathBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SeedOption seed;

    @Option(names = "--paths", split = ",", paramLabel = "P,P",
            description = "Block paths (explicit, fused, layer, auto), the first the ratios' baseline (default: ${DEFAULT-VALUE}).")
    List<String> paths = new ArrayList<>(List.of("explicit", "fused", "layer"));

    @Option(names = "--attention", paramLabel = "auto|explicit|fused",
            description = "Attention path of every model (default: ${DEFAULT-VALUE}).")
    String attention = "auto";

    @Option(names = "--lengths", split = ",", paramLabel = "L,L", description = "Text lengths (default: ${DEFAULT-VALUE}).")
    List<Integer> lengths = new ArrayList<>(List.of(64, 256));

    @Option(names = "--warmup", description = "Untimed steps per path before the first length (default: ${DEFAULT-VALUE}).")
    int warmup = 200;

    @Option(names = "--length-warmup", paramLabel = "N",
            description = "Untimed steps per path before each later length (default: ${DEFAULT-VALUE}).")
    int lengthWarmup = 30;

    @Option(names = "--rounds", description = "Paired rounds per length (default: ${DEFAULT-VALUE}).")
    int rounds = 20;

    @Option(names = "--steps", description = "Timed steps per path and round (default: ${DEFAULT-VALUE}).")
    int steps = 5;

    @Option(names = "--count-ops", description = "Also count libtorch ops per step of each path (profiler; a count).")
    boolean countOps;

    @Mixin
    ReportOutput report;

    @Override
    public Integer call() {
        threads.configure(); // before libtorch starts
        List<BlockPath> blockPaths = paths.stream().map(BlockPath::parse).toList();
        PathBench.Options o = new PathBench.Options(model.directory(), blockPaths, AttentionPath.parse(attention), lengths,
                warmup, lengthWarmup, rounds, steps, countOps, seed.seed());
        return report.show(PathBench.run(o, spec.commandLine().getErr()), spec);
    }
}
