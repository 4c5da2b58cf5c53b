package org.cramlab.report;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Config;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Line;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/** Notebook 11's figures (learned initialisations), from the tables of {@code experiment.BudgetCurves}. */
public final class InitFigures {

    private static final String[] COLOURS = {"#7f7f7f", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e"};

    private InitFigures() {}

    /**
     * Tokens crammed vs step budget for one model: per init, the paper's capacity (solid) and the mean
     * per-text longest solved length (dotted), against the budget on a log axis.
     */
    public static Figure budgetCurve(Table curve, String modelId) {
        List<Trace> traces = new ArrayList<>();
        perInit(curve, modelId, "budget", (init, i, colour) -> {
            double[] budgets = i.intColumn("budget").asDoubleArray();
            traces.add(ScatterTrace.builder(budgets, i.intColumn("capacity").asDoubleArray())
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(init + ": capacity (mean acc >= 0.99)")
                    .line(Line.builder().color(colour).build()).marker(Marker.builder().color(colour).build()).build());
            traces.add(ScatterTrace.builder(budgets, i.doubleColumn("mean_longest_solved").asDoubleArray())
                    .mode(ScatterTrace.Mode.LINE).name(init + ": mean longest exact length")
                    .line(Line.builder().color(colour).dash(Line.Dash.DOT).build()).build());
        });
        Layout layout = base("Tokens crammed vs step budget, " + modelId)
                .xAxis(Axis.builder().title("step budget").type(Axis.Type.LOG).build())
                .yAxis(Axis.builder().title("tokens").build()).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /** Median steps to the first exact step per init against the length, for one model (never exact: the cap). */
    public static Figure stepsToExact(Table steps, String modelId) {
        List<Trace> traces = new ArrayList<>();
        perInit(steps, modelId, "length", (init, i, colour) -> traces.add(ScatterTrace.builder(
                i.intColumn("length").asDoubleArray(), i.doubleColumn("median_steps").asDoubleArray())
                .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(init)
                .line(Line.builder().color(colour).build()).marker(Marker.builder().color(colour).build()).build()));
        Layout layout = base("Median steps to the first exact step, " + modelId)
                .xAxis(Axis.builder().title("length L (tokens)").build())
                .yAxis(Axis.builder().title("steps (never exact: the cap)").build()).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /** What to draw for one init: its rows (sorted), and its colour. */
    private interface InitRows {
        void draw(String init, Table rows, String colour);
    }

    /** The rows of {@code modelId} per init, in first-seen order, sorted on {@code x}, each in its own colour. */
    private static void perInit(Table table, String modelId, String x, InitRows draw) {
        Table t = table.where(table.stringColumn("model_id").isEqualTo(modelId));
        int c = 0;
        for (String init : t.stringColumn("init").unique().asList()) {
            draw.draw(init, t.where(t.stringColumn("init").isEqualTo(init)).sortAscendingOn(x), COLOURS[c++ % COLOURS.length]);
        }
    }

    private static Figure figure(Layout layout, Trace... traces) {
        return new Figure(layout, Config.builder().displayModeBar(false).build(), traces);
    }

    private static Layout.LayoutBuilder base(String title) {
        return Layout.builder().title(title).showLegend(true).width(950).height(520);
    }
}
