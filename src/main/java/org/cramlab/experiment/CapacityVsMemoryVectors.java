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
 * The paper's Figure 4: capacity, token gain and information gain against the number of memory
 * vectors K, with ideal linear scaling from K = 1.
 */
public record CapacityVsMemoryVectors(Profile profile) {

    /**
     * natural texts x K x lengths, where K's lengths are the profile's grid times K (so K vectors are
     * tried on texts K times longer, the grid ideal scaling predicts).
     */
    public ExperimentPlan plan() {
        return new ExperimentPlan("capacity-vs-memory-vectors", Plans.natural(profile, profile.memoryVectors(),
                k -> profile.lengths().stream().map(l -> l * k).toList()));
    }

    /**
     * Per (model, K): capacity_tokens (missing if none), token gain and information gain mean ± std over
     * the saturated runs, and the ideal values {@code value(K=1) * K}.
     */
    public static Table byMemoryVectors(Collection<RunRecord> records) {
        StringColumn model = StringColumn.create("model_id");
        IntColumn k = IntColumn.create("n_mem"), cap = IntColumn.create("capacity_tokens");
        DoubleColumn gm = DoubleColumn.create("token_gain_mean"), gs = DoubleColumn.create("token_gain_std"),
                im = DoubleColumn.create("information_gain_mean"), is = DoubleColumn.create("information_gain_std"),
                idealCap = DoubleColumn.create("ideal_capacity"), idealGain = DoubleColumn.create("ideal_token_gain"),
                idealInfo = DoubleColumn.create("ideal_information_gain");
        Map<String, TreeMap<Integer, List<RunRecord>>> groups = records.stream().collect(Collectors.groupingBy(
                rec -> rec.settings().modelId(), TreeMap::new, Collectors.groupingBy(rec -> rec.settings().nMem(), TreeMap::new, Collectors.toList())));
        groups.forEach((m, byK) -> {
            double[] atOne = null; // capacity, token gain, info gain at the smallest K (K = 1 in the paper)
            int kOne = byK.firstKey();
            for (Map.Entry<Integer, List<RunRecord>> e : byK.entrySet()) {
                OptionalInt c = Aggregates.decodingCapacity(e.getValue());
                MeanStd g = Aggregates.tokenGain(e.getValue()), i = Aggregates.informationGain(e.getValue());
                double[] v = {c.isPresent() ? c.getAsInt() : Double.NaN, g.mean(), i.mean()};
                if (atOne == null) atOne = v;
                double scale = (double) e.getKey() / kOne;
                model.append(m);
                k.append(e.getKey());
                if (c.isPresent()) cap.append(c.getAsInt()); else cap.appendMissing();
                gm.append(g.mean());
                gs.append(g.std());
                im.append(i.mean());
                is.append(i.std());
                idealCap.append(Aggregates.idealScaling(atOne[0], scale));
                idealGain.append(Aggregates.idealScaling(atOne[1], scale));
                idealInfo.append(Aggregates.idealScaling(atOne[2], scale));
            }
        });
        return Table.create("scaling with memory vectors", model, k, cap, gm, gs, im, is, idealCap, idealGain, idealInfo);
    }
}
