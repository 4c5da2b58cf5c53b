package org.cramlab.effects;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.traces.BarTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/** The four figures of notebook 10, from {@link MemoryEffects}' summary tables (one line per model and basis). */
public final class EffectsFigures {

    private EffectsFigures() {}

    /** Mean greedy horizon against the subspace rank k (or the layers N) of {@link MemoryEffects#horizonSummary}. */
    public static Figure horizons(Table summary) {
        String axis = summary.column(2).name();
        List<Trace> traces = new ArrayList<>();
        for (Table t : summary.splitOn("model_id", "basis").asTableList()) {
            String name = t.stringColumn("model_id").get(0) + " (" + t.stringColumn("basis").get(0) + ")";
            traces.add(ScatterTrace.builder(t.intColumn(axis), t.doubleColumn("Mean [horizon]"))
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(name).build());
        }
        String x = axis.equals("rank") ? "subspace rank k (d: the plain memory)" : "decoder layers kept N";
        return figure("Greedy horizon vs " + (axis.equals("rank") ? "subspace rank" : "layers"), x, "mean greedy horizon, tokens",
                traces);
    }

    /** Teacher-forced accuracy and share of exact greedy decodes against the first knocked-out layer. */
    public static Figure knockout(Table summary) {
        List<Trace> traces = new ArrayList<>();
        for (Table t : summary.splitOn("model_id").asTableList()) {
            String m = t.stringColumn("model_id").get(0);
            traces.add(ScatterTrace.builder(t.intColumn("from_layer"), t.doubleColumn("Mean [accuracy]"))
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(m + " teacher-forced accuracy").build());
            traces.add(ScatterTrace.builder(t.intColumn("from_layer"), t.doubleColumn("Mean [greedy_exact]"))
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(m + " exact greedy decodes").build());
        }
        return figure("Reconstruction when layers >= l cannot attend to the memory (l = layers: no knockout)",
                "first knocked-out layer l", "share", traces);
    }

    /** Mean cross-entropy of other texts per prefix. */
    public static Figure harm(Table summary) {
        List<Trace> traces = new ArrayList<>();
        for (Table t : summary.splitOn("model_id").asTableList()) {
            traces.add(BarTrace.builder(t.stringColumn("prefix"), t.doubleColumn("Mean [loss]"))
                    .name(t.stringColumn("model_id").get(0)).build());
        }
        return figure("Cross-entropy of other texts with a prefix vector", "prefix", "mean cross-entropy, nats per token", traces);
    }

    /** Multiple-choice probe accuracy per prefix (chance: 1 / choices). */
    public static Figure choice(Table summary) {
        List<Trace> traces = new ArrayList<>();
        for (Table t : summary.splitOn("model_id").asTableList()) {
            traces.add(BarTrace.builder(t.stringColumn("prefix"), t.doubleColumn("Mean [choice_correct]"))
                    .name(t.stringColumn("model_id").get(0)).build());
        }
        return figure("Multiple choice from the texts' own continuations, with a prefix vector", "prefix",
                "share of questions answered", traces);
    }

    private static Figure figure(String title, String x, String y, List<Trace> traces) {
        Layout layout = Layout.builder(title).xAxis(Axis.builder().title(x).build()).yAxis(Axis.builder().title(y).build())
                .width(760).height(420).build();
        return new Figure(layout, traces.toArray(Trace[]::new));
    }
}
