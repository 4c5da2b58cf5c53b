package org.cramlab.experiment;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.cramlab.cram.RunRecord;
import org.cramlab.report.Aggregates;
import org.cramlab.report.MeanStd;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.Profile;

/**
 * The paper's Figure 1 set-up: natural texts truncated to each grid length, one memory vector; mean
 * best accuracy per length and the decoding capacity per model.
 */
public record CapacityVsLength(Profile profile) {

    /** natural texts x lengths x K = 1, per model. */
    public ExperimentPlan plan() {
        return new ExperimentPlan("capacity-vs-length", Plans.natural(profile, List.of(1), k -> profile.lengths()));
    }

    /** Lengths and texts of {@link #sweepDemoPlan()} in the smoke profile. */
    static final int SWEEP_DEMO_MAX_LENGTH = 16, SWEEP_DEMO_TEXTS = 2;

    /**
     * The plan the Slurm notebook runs: {@link #plan()}, cut in the smoke profile to the first two texts
     * and lengths up to 16 tokens (that notebook is about running a plan, not about its numbers); the
     * whole plan in any other profile.
     */
    public ExperimentPlan sweepDemoPlan() {
        ExperimentPlan full = plan();
        if (!profile.name().equals("smoke")) {
            return full;
        }
        return new ExperimentPlan(full.name(), full.runs().stream()
                .filter(r -> r.length() <= SWEEP_DEMO_MAX_LENGTH && r.text().index() < SWEEP_DEMO_TEXTS).toList());
    }

    /** Mean ± std of best accuracy per (model, length): model_id, length, mean_accuracy, std_accuracy, texts. */
    public static Table accuracyByLength(Collection<RunRecord> records) {
        StringColumn model = StringColumn.create("model_id");
        IntColumn length = IntColumn.create("length"), n = IntColumn.create("texts");
        DoubleColumn mean = DoubleColumn.create("mean_accuracy"), std = DoubleColumn.create("std_accuracy");
        byModel(records).forEach((m, rs) -> {
            TreeMap<Integer, List<RunRecord>> byLen = rs.stream()
                    .collect(Collectors.groupingBy(rec -> rec.text().length(), TreeMap::new, Collectors.toList()));
            byLen.forEach((len, group) -> {
                MeanStd ms = MeanStd.of(group.stream().mapToDouble(rec -> rec.metrics().bestAccuracy()).toArray());
                model.append(m);
                length.append(len);
                mean.append(ms.mean());
                std.append(ms.std());
                n.append(ms.n());
            });
        });
        return Table.create("accuracy by length", model, length, mean, std, n);
    }

    /**
     * Decoding capacity per model: capacity_tokens (missing when no length reaches mean accuracy 0.99),
     * largest length tried, and the mean accuracy at the capacity.
     */
    public static Table capacity(Collection<RunRecord> records) {
        StringColumn model = StringColumn.create("model_id");
        IntColumn cap = IntColumn.create("capacity_tokens"), maxLen = IntColumn.create("max_length_tried");
        byModel(records).forEach((m, rs) -> {
            TreeMap<Integer, Double> means = Aggregates.meanAccuracyByLength(rs);
            OptionalInt c = Aggregates.decodingCapacity(rs);
            model.append(m);
            if (c.isPresent()) cap.append(c.getAsInt()); else cap.appendMissing();
            maxLen.append(means.lastKey());
        });
        return Table.create("decoding capacity", model, cap, maxLen);
    }

    /**
     * Our capacities beside the paper's Figure 1 values: model_id, capacity_tokens, origin ("cramlab" or
     * "paper"), ready for one bar chart.
     */
    public static Table withPaper(Table ours, Table paperFigure1) {
        StringColumn model = StringColumn.create("model_id"), origin = StringColumn.create("origin");
        IntColumn cap = IntColumn.create("capacity_tokens");
        for (int i = 0; i < ours.rowCount(); i++) {
            model.append(ours.stringColumn("model_id").get(i));
            origin.append("cramlab");
            IntColumn c = ours.intColumn("capacity_tokens");
            cap.append(c.isMissing(i) ? 0 : c.getInt(i));
        }
        for (int i = 0; i < paperFigure1.rowCount(); i++) {
            model.append(paperFigure1.stringColumn("model").get(i));
            origin.append("paper");
            cap.append((int) Math.round(paperFigure1.numberColumn("mean").getDouble(i)));
        }
        return Table.create("decoding capacity, cramlab and paper", model, cap, origin);
    }

    static Map<String, List<RunRecord>> byModel(Collection<RunRecord> records) {
        return records.stream().collect(Collectors.groupingBy(rec -> rec.settings().modelId(), TreeMap::new, Collectors.toList()));
    }
}
