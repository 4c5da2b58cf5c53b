package org.cramlab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Config;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Line;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/** Notebook 09's figures, from the tables of {@code org.cramlab.experiment.BitsExperiment}. */
public final class BitsFigures {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private BitsFigures() {}

    /** Bits per byte against text length (bytes, log axis), one line per method, for one model. */
    public static Figure bitsPerByte(Table compression, String model) {
        Table m = compression.where(compression.stringColumn("model").isEqualTo(model));
        List<Trace> traces = new ArrayList<>();
        int c = 0;
        for (Map.Entry<String, Table> e : split(m, "method").entrySet()) {
            Table t = e.getValue().sortAscendingOn("bytes");
            String colour = COLOURS[c++ % COLOURS.length];
            traces.add(ScatterTrace.builder(t.intColumn("bytes").asDoubleArray(), t.doubleColumn("bits_per_byte").asDoubleArray())
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(e.getKey())
                    .line(Line.builder().color(colour).build()).marker(Marker.builder().color(colour).build()).build());
        }
        Layout layout = Layout.builder().title("Lossless compression of held-out text, " + model + " (8 = no compression)")
                .showLegend(true).width(950).height(560)
                .xAxis(Figures.gridLogAxis("text length, bytes (log scale)", m.intColumn("bytes").asDoubleArray()))
                .yAxis(Axis.builder().title("compressed bits per byte (real file sizes)").build()).build();
        return new Figure(layout, Config.builder().displayModeBar(false).build(), traces.toArray(Trace[]::new));
    }

    /**
     * The precision curve: fraction of solved memories that still decode exactly (greedy) against
     * bits per dimension, stored as is and after straight-through re-optimisation, one pair per model.
     */
    public static Figure precisionCurve(Table precision) {
        Table solved = precision.where(precision.booleanColumn("solved").isTrue());
        List<Trace> traces = new ArrayList<>();
        int c = 0;
        for (Map.Entry<String, Table> e : split(solved, "model").entrySet()) {
            Table byBits = e.getValue().where(e.getValue().stringColumn("precision").startsWith("int"));
            TreeMap<Integer, double[]> stats = new TreeMap<>(); // bits -> {exact, exact after qat, n}
            for (int i = 0; i < byBits.rowCount(); i++) {
                double[] s = stats.computeIfAbsent(byBits.intColumn("bits_per_dim").get(i), b -> new double[3]);
                s[0] += byBits.booleanColumn("exact").get(i) ? 1 : 0;
                s[1] += byBits.booleanColumn("exact_after_qat").get(i) ? 1 : 0;
                s[2] += 1;
            }
            double[] x = stats.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] plain = stats.values().stream().mapToDouble(s -> s[0] / s[2]).toArray();
            double[] qat = stats.values().stream().mapToDouble(s -> s[1] / s[2]).toArray();
            String colour = COLOURS[c++ % COLOURS.length];
            traces.add(ScatterTrace.builder(x, plain).mode(ScatterTrace.Mode.LINE_AND_MARKERS)
                    .name(e.getKey() + ": quantised").line(Line.builder().color(colour).build())
                    .marker(Marker.builder().color(colour).build()).build());
            traces.add(ScatterTrace.builder(x, qat).mode(ScatterTrace.Mode.LINE_AND_MARKERS)
                    .name(e.getKey() + ": after straight-through re-optimisation")
                    .line(Line.builder().color(colour).dash(Line.Dash.DASH).build())
                    .marker(Marker.builder().color(colour).build()).build());
        }
        Layout layout = Layout.builder().title("Exact greedy decoding from a stored memory vs its bits per dimension")
                .showLegend(true).width(950).height(560)
                .xAxis(Axis.builder().title("bits per dimension b (uniform code, per-vector offset and step)").build())
                .yAxis(Axis.builder().title("fraction of solved texts decoded exactly").range(-0.02, 1.02).build()).build();
        return new Figure(layout, Config.builder().displayModeBar(false).build(), traces.toArray(Trace[]::new));
    }

    private static Map<String, Table> split(Table t, String column) {
        Map<String, Table> out = new TreeMap<>();
        for (String key : t.stringColumn(column).unique().asList()) {
            out.put(key, t.where(t.stringColumn(column).isEqualTo(key)));
        }
        return out;
    }
}
