package org.cramlab.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables of {@code bench gemm}: every shape and direction (median ms, GFLOP/s per side, ratio), and
 * per model and length the matmuls of one step (each shape's median times its calls per step, forward and
 * backward): the part of the step time the GEMM alone explains.
 */
final class GemmTable {
    private GemmTable() {}

    static void add(BenchReport report, List<GemmBench.Result> results) {
        List<List<String>> rows = new ArrayList<>();
        Map<String, double[]> step = new LinkedHashMap<>(); // model|T -> cramlab ms, torch ms, flops
        for (GemmBench.Result r : results) {
            GemmShape s = r.shape();
            double ours = r.cramlab().median();
            double theirs = r.torch() == null ? Double.NaN : r.torch().median();
            rows.add(List.of(s.model(), s.layer(), Integer.toString(s.t()), s.dims(), r.op(), BenchReport.fmt(ours, 3),
                    BenchReport.fmt(theirs, 3), BenchReport.fmt(gflops(s.flops(), ours), 1),
                    BenchReport.fmt(gflops(s.flops(), theirs), 1), BenchReport.fmt(r.ratio(), 2)));
            String key = s.model() + "|" + s.t();
            double[] acc = step.computeIfAbsent(key, k -> new double[3]);
            acc[0] += s.perStep() * ours;
            acc[1] += s.perStep() * theirs;
            acc[2] += s.perStep() * s.flops();
            String section = "gemm";
            String metric = s.layer() + " " + s.dims() + " " + r.op();
            report.add(section, s.model(), s.t() - 1, 1, metric + " cramlab", ours, "ms");
            if (r.torch() != null) {
                report.add(section, s.model(), s.t() - 1, 1, metric + " torch", theirs, "ms");
            }
        }
        report.add(new BenchReport.Table("GEMM alone: linear forward x[T, d_in]·Wᵀ and its activation gradient dy·W"
                + " (median ms per call; GFLOP/s = 2·T·d_in·d_out / time)",
                List.of("model", "layer", "T", "d_in x d_out", "op", "cramlab ms", "torch ms", "cramlab GFLOP/s",
                        "torch GFLOP/s", "cramlab / torch"), rows));
        List<List<String>> sums = new ArrayList<>();
        step.forEach((key, acc) -> {
            String[] k = key.split("\\|");
            sums.add(List.of(k[0], k[1], BenchReport.fmt(acc[0], 1), BenchReport.fmt(acc[1], 1),
                    BenchReport.fmt(gflops(acc[2], acc[0]), 1), BenchReport.fmt(gflops(acc[2], acc[1]), 1),
                    BenchReport.fmt(acc[0] / acc[1], 2)));
            report.add("gemm", k[0], Integer.parseInt(k[1]) - 1, 1, "step matmuls cramlab", acc[0], "ms");
        });
        report.add(new BenchReport.Table("Matmuls of one step (forward + activation gradients, each shape's median"
                + " times its calls per step; attention's own products not included)",
                List.of("model", "T", "cramlab ms", "torch ms", "cramlab GFLOP/s", "torch GFLOP/s", "cramlab / torch"), sums));
    }

    /** GFLOP/s of {@code flops} in {@code ms}; NaN when not measured. */
    static double gflops(double flops, double ms) {
        return ms > 0 ? flops / ms / 1e6 : Double.NaN;
    }
}
