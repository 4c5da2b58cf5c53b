package org.cramlab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cramlab.bench.GemmBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench gemm}: a linear layer's matmuls alone, DJL's libtorch against the reference tree's torch. */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = {"Time linear(x[T, d_in], W[d_out, d_in]) and its activation gradient dy[T, d_out]·W at the",
                "Pythia-160M and Llama-3.2-1B layer shapes (T = L + 1 at the step benchmark's lengths), in DJL's",
                "libtorch and in the reference tree's torch ($CRAMLAB_HF_REF), paired round by round with the same",
                "threads; GFLOP/s per side and the ratio. Run it under MKL_*/OMP_* settings to compare them."},
        footer = {"%nExample:", "  java -jar lib/cramlab.jar bench gemm --threads 2 --models pythia-160m"})
public final class GemmBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ThreadsOption threads; // both sides get the same number

    @Option(names = "--models", split = ",", paramLabel = "M,M",
            description = "Model shapes: pythia-160m, llama-3.2-1b (default: ${DEFAULT-VALUE}).")
    List<String> models = new ArrayList<>(List.of("pythia-160m", "llama-3.2-1b"));

    @Option(names = "--rounds", description = "Paired rounds per shape and direction (default: ${DEFAULT-VALUE}).")
    int rounds = 5;

    @Option(names = "--round-ms", paramLabel = "MS",
            description = "Time one side spends per round; sets the calls per round, at least 1 (default: ${DEFAULT-VALUE}).")
    double roundMs = 100;

    @Option(names = "--no-torch", description = "Do not run the reference.")
    boolean noTorch;

    @Option(names = "--torch-tree", paramLabel = "DIR", description = "Debian sid tree with torch (default: $CRAMLAB_HF_REF).")
    Path torchTree;

    @Mixin
    ReportOutput report;

    @Override
    public Integer call() {
        int n = threads.configure(); // before libtorch starts
        String repo = System.getenv("CRAMLAB_REPO");
        Path base = repo == null || repo.isBlank() ? Path.of("") : Path.of(repo);
        GemmBench.Options o = new GemmBench.Options(models, n, rounds, roundMs, !noTorch, torchTree,
                base.resolve("environment/bench/torch_gemm.py").toAbsolutePath());
        return report.show(GemmBench.run(o, spec.commandLine().getErr()), spec);
    }
}
