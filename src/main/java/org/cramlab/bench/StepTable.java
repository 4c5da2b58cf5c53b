package org.cramlab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The step benchmark's table: per length, cramlab's and the reference's step time, throughput and FLOP rate. */
final class StepTable {
    private StepTable() {}

    /** Adds the step-time table of {@code results} (and their CSV rows) to {@code c}'s report. */
    static void add(Bench.Context c, String name, Flops.Shape shape, List<StepBench.Result> results,
            Map<Integer, Double> opsPerStep) {
        BenchOptions o = c.options();
        BenchReport report = c.report();
        List<String> headers = new ArrayList<>(List.of("L", "cramlab ms [p10, p90]", "torch ms [p10, p90]",
                "cramlab/torch", "target <= 1.0", "tokens/s", "GFLOP/s"));
        if (o.gpuPeakTflops != null) {
            headers.add("% bf16 peak");
        }
        if (o.countOps) {
            headers.add("ops/step");
        }
        List<List<String>> rows = new ArrayList<>();
        for (StepBench.Result r : results) {
            double ratio = r.ratio();
            double sec = r.cramlab().median() / 1000;
            double tokens = (1 + r.length()) / sec;
            double gflops = Flops.perStep(shape, 1, 1 + r.length()) / sec / 1e9;
            List<String> row = new ArrayList<>(List.of(Integer.toString(r.length()), spread(r.cramlab()),
                    r.torch() == null ? "skipped" : spread(r.torch()), BenchReport.fmt(ratio, 2),
                    Double.isNaN(ratio) ? "n/a" : ratio <= 1.0 ? "met" : "MISSED", BenchReport.fmt(tokens, 0),
                    BenchReport.fmt(gflops, 1)));
            report.add("step", name, r.length(), 1, "cramlab_median_ms", r.cramlab().median(), "ms");
            report.add("step", name, r.length(), 1, "cramlab_p10_ms", r.cramlab().p10(), "ms");
            report.add("step", name, r.length(), 1, "cramlab_p90_ms", r.cramlab().p90(), "ms");
            if (r.torch() != null) {
                report.add("step", name, r.length(), 1, "torch_median_ms", r.torch().median(), "ms");
                report.add("step", name, r.length(), 1, "torch_p10_ms", r.torch().p10(), "ms");
                report.add("step", name, r.length(), 1, "torch_p90_ms", r.torch().p90(), "ms");
                report.add("step", name, r.length(), 1, "ratio_cramlab_over_torch", ratio, "x");
            }
            report.add("step", name, r.length(), 1, "tokens_per_s", tokens, "tokens/s");
            report.add("step", name, r.length(), 1, "gflops_per_s", gflops, "GFLOP/s");
            if (o.gpuPeakTflops != null) {
                double frac = gflops / (o.gpuPeakTflops * 1000);
                row.add(BenchReport.fmt(100 * frac, 2));
                report.add("step", name, r.length(), 1, "fraction_of_bf16_peak", frac, "fraction");
            }
            if (o.countOps) {
                double ops = opsPerStep.getOrDefault(r.length(), Double.NaN);
                row.add(BenchReport.fmt(ops, 0));
                report.add("step", name, r.length(), 1, "libtorch_ops_per_step", ops, "ops");
            }
            rows.add(row);
        }
        report.add(new BenchReport.Table("Optimisation step (forward + backward + AdamW), " + name + ", K = 1, B = 1, "
                + o.steps + " timed steps after " + warmup(o), headers, rows));
    }

    /** E.g. "500 warm-up" or "200 warm-up at L = 16 + 3 at each L". */
    static String warmup(BenchOptions o) {
        return o.warmupLength > 0 ? o.warmup + " warm-up at L = " + o.warmupLength + " + " + o.lengthWarmup + " at each L"
                : o.warmup + " warm-up";
    }

    /** One table of every model's step times (--shapes), the table. */
    static void summary(BenchReport report, BenchOptions o, Map<String, List<StepBench.Result>> byModel) {
        List<List<String>> rows = new ArrayList<>();
        byModel.forEach((model, results) -> results.forEach(r -> rows.add(List.of(model, Integer.toString(r.length()),
                BenchReport.fmt(r.cramlab().median(), 1), r.torch() == null ? "skipped" : BenchReport.fmt(r.torch().median(), 1),
                BenchReport.fmt(r.ratio(), 2)))));
        report.add(new BenchReport.Table("Step time, all models (K = 1, B = 1, " + o.threads + " threads, " + o.steps
                + " timed steps after " + warmup(o) + ", paired step by step)",
                List.of("model", "L", "cramlab ms", "torch ms", "cramlab / torch"), rows));
    }

    private static String spread(Timing t) {
        return BenchReport.fmt(t.median(), 1) + " [" + BenchReport.fmt(t.p10(), 1) + ", " + BenchReport.fmt(t.p90(), 1) + "]";
    }
}
