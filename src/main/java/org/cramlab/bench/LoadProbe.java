package org.cramlab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;

/**
 * Child-JVM side of {@link LoadBench}: starts libtorch, records VmHWM as the baseline, loads the
 * model directory given as the only argument and prints one JSON line with the memory figures.
 */
public final class LoadProbe {

    private LoadProbe() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: LoadProbe <model-dir>");
            System.exit(2);
        }
        try (NDManager m = NDManager.newBaseManager(); NDArray warm = m.ones(new ai.djl.ndarray.types.Shape(64, 64))) {
            warm.matMul(warm).sum().getFloat(); // libtorch and its thread pool fully started
        }
        ProcStatus.resetPeak(); // VmHWM := RSS now, so the peak below is the load's own
        ProcStatus before = ProcStatus.read();
        long t0 = System.nanoTime();
        try (CausalLM model = Models.load(Path.of(args[0]))) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            ProcStatus after = ProcStatus.read();
            System.out.printf(java.util.Locale.ROOT,
                    "{\"baseline_hwm_kb\": %d, \"baseline_rss_kb\": %d, \"baseline_file_kb\": %d, \"peak_hwm_kb\": %d, \"after_rss_kb\": %d,"
                            + " \"after_anon_kb\": %d, \"after_file_kb\": %d, \"params\": %d, \"seconds\": %.3f}%n",
                    before.hwmKb(), before.rssKb(), before.fileKb(), after.hwmKb(), after.rssKb(), after.anonKb(), after.fileKb(),
                    model.info().numParameters(), seconds);
        }
    }
}
