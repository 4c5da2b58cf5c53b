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
 * The paper's Figure 3 and Table 1: natural texts over the length grid plus random word sequences, one
 * memory vector. The cross-entropy a vector removes (information gain C_H) is about constant per model:
 * saturated runs lie on {@code best CE = original CE - C_H}.
 */
public record CapacityVsEntropy(Profile profile) {

    /** natural texts x lengths and the random texts, K = 1. */
    public ExperimentPlan plan() {
        return new ExperimentPlan("capacity-vs-entropy",
                Plans.concat(Plans.natural(profile, List.of(1), k -> profile.lengths()), Plans.random(profile)));
    }

    /**
     * Table 1 rows per (model, text source): max_tokens (decoding capacity; for random texts, whose
     * lengths all differ, the longest one decoded), token gain and information gain mean ± std over the
     * saturated runs, their count, and the slope-1 fit's C_H (equal to the information-gain mean by
     * construction, shown as a check).
     */
    public static Table table1(Collection<RunRecord> records) {
        StringColumn model = StringColumn.create("model_id"), source = StringColumn.create("source"),
                gainText = StringColumn.create("token_gain"), infoText = StringColumn.create("information_gain_nats");
        IntColumn max = IntColumn.create("max_tokens"), n = IntColumn.create("saturated_runs");
        DoubleColumn gm = DoubleColumn.create("token_gain_mean"), gs = DoubleColumn.create("token_gain_std"),
                im = DoubleColumn.create("information_gain_mean"), is = DoubleColumn.create("information_gain_std"),
                fit = DoubleColumn.create("fitted_c_h");
        Map<String, Map<String, List<RunRecord>>> groups = records.stream().collect(Collectors.groupingBy(rec -> rec.settings().modelId(),
                TreeMap::new, Collectors.groupingBy(rec -> rec.text().textSource(), TreeMap::new, Collectors.toList())));
        groups.forEach((m, bySource) -> bySource.forEach((s, rs) -> {
            OptionalInt cap = Aggregates.decodingCapacity(rs);
            MeanStd g = Aggregates.tokenGain(rs), i = Aggregates.informationGain(rs);
            model.append(m);
            source.append(s);
            if (cap.isPresent()) max.append(cap.getAsInt()); else max.appendMissing();
            gainText.append(g.toString());
            infoText.append(i.toString());
            gm.append(g.mean());
            gs.append(g.std());
            im.append(i.mean());
            is.append(i.std());
            n.append(g.n());
            fit.append(Aggregates.fittedInformationGain(rs));
        }));
        return Table.create("Table 1", model, source, max, gainText, infoText, n, gm, gs, im, is, fit);
    }

    /**
     * The highest compressed CE among runs decoded losslessly (accuracy >= 0.99): the paper's red dotted
     * line ("all texts below the line are losslessly compressed"). NaN when no run is lossless.
     */
    public static double losslessCeCeiling(Collection<RunRecord> records) {
        return records.stream().filter(r -> r.metrics().bestAccuracy() >= Aggregates.LOSSLESS).mapToDouble(rec -> rec.metrics().bestCeNats())
                .max().orElse(Double.NaN);
    }
}
