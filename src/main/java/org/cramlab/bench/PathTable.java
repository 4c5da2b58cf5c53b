package org.cramlab.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The table of {@code bench paths}: per length and block path the median step time, the paired ratio to the
 * first path (median and quartiles of the per-round ratios) and, with {@code --count-ops}, libtorch ops per step.
 */
final class PathTable {

    private PathTable() {}

    static void add(BenchReport report, PathBench.Options o, List<PathBench.Result> results) {
        String model = o.modelDir().getFileName().toString();
        String base = PathBench.name(o.paths().get(0));
        List<List<String>> rows = new ArrayList<>();
        for (PathBench.Result r : results) {
            Timing ms = Timing.of(r.roundMs());
            double[] ratios = sorted(r.ratios());
            double median = Timing.quantile(ratios, 0.5);
            List<String> row = new ArrayList<>(List.of(Integer.toString(r.length()), Integer.toString(r.length() + 1),
                    PathBench.name(r.path()), Integer.toString(r.ratios().size()), BenchReport.fmt(ms.median(), 2),
                    BenchReport.fmt(median, 3), BenchReport.fmt(Timing.quantile(ratios, 0.25), 2) + "-"
                            + BenchReport.fmt(Timing.quantile(ratios, 0.75), 2)));
            if (o.countOps()) {
                row.add(BenchReport.fmt(r.opsPerStep(), 0));
                report.add("paths", model, r.length(), 1, PathBench.name(r.path()) + " ops per step", r.opsPerStep(), "ops");
            }
            rows.add(row);
            report.add("paths", model, r.length(), 1, PathBench.name(r.path()) + " step", ms.median(), "ms");
            report.add("paths", model, r.length(), 1, PathBench.name(r.path()) + " / " + base, median, "ratio");
        }
        List<String> headers = new ArrayList<>(List.of("L", "T = K + L", "blocks", "rounds", "ms per step",
                "/ " + base, "quartiles"));
        if (o.countOps()) {
            headers.add("ops per step");
        }
        report.add(new BenchReport.Table("Block paths, paired in one JVM: step time (median of the rounds' medians) and"
                + " the per-round ratio to " + base + " (median, quartiles)", headers, rows));
    }

    private static double[] sorted(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
}
