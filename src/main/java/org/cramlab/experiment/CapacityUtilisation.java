package org.cramlab.experiment;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.cramlab.cram.RunRecord;
import org.cramlab.text.TextSource;
import org.cramlab.report.Aggregates;
import org.cramlab.report.PaperNumbers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.Profile;

/**
 * The paper's Figure 5: how much of a vector's theoretical capacity {@code 16 d / log2|V|} tokens the
 * measured token gain uses, for natural and random texts. Uses exactly the runs of
 * {@link CapacityVsEntropy} (same run ids), so both can share one run folder.
 */
public record CapacityUtilisation(Profile profile) {

    /** The runs of {@link CapacityVsEntropy#plan()}. */
    public ExperimentPlan plan() {
        return new ExperimentPlan("capacity-utilisation", new CapacityVsEntropy(profile).plan().runs());
    }

    /**
     * Per model: hidden_size, vocab_size, theoretical_capacity, token gain (saturated runs) on natural and
     * random texts, and utilisation = token gain / theoretical capacity for both.
     */
    public static Table utilisation(Collection<RunRecord> records) {
        StringColumn model = StringColumn.create("model_id");
        IntColumn d = IntColumn.create("hidden_size"), v = IntColumn.create("vocab_size");
        DoubleColumn theory = DoubleColumn.create("theoretical_capacity"), gn = DoubleColumn.create("token_gain_natural"),
                gr = DoubleColumn.create("token_gain_random"), un = DoubleColumn.create("utilisation_natural"),
                ur = DoubleColumn.create("utilisation_random");
        Map<String, List<RunRecord>> byModel = records.stream()
                .collect(Collectors.groupingBy(rec -> rec.settings().modelId(), TreeMap::new, Collectors.toList()));
        byModel.forEach((m, rs) -> {
            RunRecord first = rs.get(0);
            double natural = Aggregates.tokenGain(rs.stream().filter(r -> !TextSource.RANDOM.is(r.text().textSource())).toList()).mean();
            double random = Aggregates.tokenGain(rs.stream().filter(r -> TextSource.RANDOM.is(r.text().textSource())).toList()).mean();
            model.append(m);
            d.append(first.environment().hiddenSize());
            v.append(first.environment().vocabSize());
            theory.append(Aggregates.theoreticalCapacity(first.environment().hiddenSize(), first.environment().vocabSize()));
            gn.append(natural);
            gr.append(random);
            un.append(Aggregates.utilisation(natural, first.environment().hiddenSize(), first.environment().vocabSize()));
            ur.append(Aggregates.utilisation(random, first.environment().hiddenSize(), first.environment().vocabSize()));
        });
        return Table.create("capacity utilisation", model, d, v, theory, gn, gr, un, ur);
    }

    /**
     * The paper's per-model numbers in the same columns as {@link #utilisation}, from cramlab's copy of
     * its {@code models_list_add_mamba.csv}, with the parameter count (billions) for marker sizes.
     */
    public static Table paperReference() {
        Table src = PaperNumbers.modelsList();
        StringColumn model = StringColumn.create("model_id");
        IntColumn d = IntColumn.create("hidden_size"), v = IntColumn.create("vocab_size");
        DoubleColumn params = DoubleColumn.create("params_billions"), theory = DoubleColumn.create("theoretical_capacity"),
                gn = DoubleColumn.create("token_gain_natural"), gr = DoubleColumn.create("token_gain_random"),
                un = DoubleColumn.create("utilisation_natural"), ur = DoubleColumn.create("utilisation_random");
        for (int i = 0; i < src.rowCount(); i++) {
            model.append(src.getString(i, "Model name"));
            d.append((int) num(src, i, "Input hidden size"));
            v.append((int) num(src, i, "Vocabulary size"));
            params.append(num(src, i, "Params, B"));
            theory.append(num(src, i, "Max capacity, tokens"));
            gn.append(num(src, i, "PG-19, Gain, tokens"));
            gr.append(num(src, i, "Random, Gain, tokens"));
            un.append(num(src, i, "PG19"));
            ur.append(num(src, i, "Random"));
        }
        return Table.create("paper: capacity utilisation (models_list_add_mamba.csv)", model, params, d, v, theory, gn, gr, un, ur);
    }

    private static double num(Table t, int row, String column) {
        return t.numberColumn(column).getDouble(row);
    }
}
