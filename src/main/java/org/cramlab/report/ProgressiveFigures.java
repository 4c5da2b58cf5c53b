package org.cramlab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Config;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Line;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.traces.BarTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/** Notebook 08's figures (progressive cramming), from the tables of {@code experiment.ProgressiveCramming}. */
public final class ProgressiveFigures {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf"};

    private ProgressiveFigures() {}

    /** Greedy horizon per text (bars) beside the teacher-forced decoding capacity of the same texts (dotted line). */
    public static Figure horizons(Table horizons, int teacherForcedCapacity) {
        Trace bars = BarTrace.builder(horizons.stringColumn("text_id"), horizons.intColumn("horizon"))
                .name("greedy horizon (progressive)").build();
        Table ends = Table.create("capacity line",
                tech.tablesaw.api.StringColumn.create("text_id", horizons.stringColumn("text_id").get(0),
                        horizons.stringColumn("text_id").get(horizons.rowCount() - 1)),
                tech.tablesaw.api.IntColumn.create("capacity", teacherForcedCapacity, teacherForcedCapacity));
        Trace line = ScatterTrace.builder(ends.stringColumn("text_id"), ends.intColumn("capacity"))
                .mode(ScatterTrace.Mode.LINE).name("teacher-forced capacity (mean acc >= 0.99, from scratch)")
                .line(Line.builder().color("black").dash(Line.Dash.DOT).build()).build();
        Layout layout = base("Greedy horizon per text vs the paper's teacher-forced capacity")
                .xAxis(axis("text")).yAxis(axis("tokens")).build();
        return figure(layout, bars, line);
    }

    /** Teacher-forced accuracy against the fraction of the text greedy decoding reproduces, exact runs marked. */
    public static Figure teacherForcedVsGreedy(Table runs) {
        List<Trace> traces = new ArrayList<>();
        for (boolean exact : new boolean[] {true, false}) {
            Table t = runs.where(exact ? runs.booleanColumn("greedy_exact").isTrue() : runs.booleanColumn("greedy_exact").isFalse());
            if (t.rowCount() == 0) continue;
            traces.add(ScatterTrace.builder(t.doubleColumn("best_accuracy").asDoubleArray(), t.doubleColumn("horizon_fraction").asDoubleArray())
                    .mode(ScatterTrace.Mode.MARKERS).name((exact ? "greedy exact" : "greedy fails") + " (n=" + t.rowCount() + ")")
                    .marker(Marker.builder().color(exact ? COLOURS[2] : COLOURS[1]).size(9).opacity(0.7).build()).build());
        }
        traces.add(ScatterTrace.builder(new double[] {0.99, 0.99}, new double[] {0, 1}).mode(ScatterTrace.Mode.LINE)
                .name("0.99 (the paper's lossless)").line(Line.builder().color("grey").dash(Line.Dash.DOT).build()).build());
        Layout layout = base("Teacher-forced accuracy vs exact greedy reconstruction (from-scratch runs)")
                .xAxis(axis("best teacher-forced accuracy")).yAxis(Axis.builder().title("greedy horizon / L").range(0, 1.05).build())
                .build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /** Steps a stage needed against the surprisal (no memory) of the tokens it added; failed stages marked. */
    public static Figure stepsVsSurprisal(Table stages) {
        List<Trace> traces = new ArrayList<>();
        for (boolean passed : new boolean[] {true, false}) {
            Table t = stages.where(passed ? stages.booleanColumn("passed").isTrue() : stages.booleanColumn("passed").isFalse());
            t = t.where(t.intColumn("stage").isGreaterThan(0)); // stage 0 starts from a random memory
            if (t.rowCount() == 0) continue;
            traces.add(ScatterTrace.builder(t.doubleColumn("added_surprisal_nats").asDoubleArray(), t.intColumn("steps").asDoubleArray())
                    .mode(ScatterTrace.Mode.MARKERS).name((passed ? "passed" : "failed (budget spent)") + " (n=" + t.rowCount() + ")")
                    .marker(Marker.builder().color(passed ? COLOURS[0] : COLOURS[1]).size(8).opacity(0.7).build()).build());
        }
        Layout layout = base("Steps per warm-started stage vs surprisal of the added token")
                .xAxis(axis("surprisal of the added token without memory (nats)"))
                .yAxis(Axis.builder().title("optimisation steps").type(Axis.Type.LOG).build()).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /** Each text's memory across stages in its first two principal components (variance explained in the legend). */
    public static Figure trajectories(Table pca) {
        List<Trace> traces = new ArrayList<>();
        Map<String, Table> byText = new TreeMap<>();
        for (String key : pca.stringColumn("text_id").unique().asList()) {
            byText.put(key, pca.where(pca.stringColumn("text_id").isEqualTo(key)).sortAscendingOn("stage"));
        }
        int c = 0;
        for (Map.Entry<String, Table> e : byText.entrySet()) {
            Table t = e.getValue();
            String name = String.format(Locale.ROOT, "%s (PC1+PC2 %.0f%%)", e.getKey(),
                    100 * (t.doubleColumn("explained1").get(0) + t.doubleColumn("explained2").get(0)));
            traces.add(ScatterTrace.builder(t.doubleColumn("pc1").asDoubleArray(), t.doubleColumn("pc2").asDoubleArray())
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(name)
                    .line(Line.builder().color(COLOURS[c % COLOURS.length]).build())
                    .marker(Marker.builder().color(COLOURS[c++ % COLOURS.length]).build()).build());
        }
        Layout layout = base("The memory's path across stages (first two principal components per text)")
                .xAxis(axis("PC1")).yAxis(axis("PC2")).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    private static Figure figure(Layout layout, Trace... traces) {
        return new Figure(layout, Config.builder().displayModeBar(false).build(), traces);
    }

    private static Layout.LayoutBuilder base(String title) {
        return Layout.builder().title(title).showLegend(true).width(950).height(560);
    }

    private static Axis axis(String title) {
        return Axis.builder().title(title).build();
    }
}
