package org.cramlab.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.cramlab.cram.RunRecord;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.ColorBar;
import tech.tablesaw.plotly.components.Config;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Line;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.components.Symbol;
import tech.tablesaw.plotly.components.TickSettings;
import tech.tablesaw.plotly.traces.BarTrace;
import tech.tablesaw.plotly.traces.HistogramTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/**
 * The paper's figures as Tablesaw plotly figures, drawn from the experiments' summary tables. Axis
 * titles carry units (tokens, nats); lengths and K use log axes as the paper does. Show them with
 * {@code org.cramlab.notebook.Html}, save them with {@link FigureFiles}.
 */
public final class Figures {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
            "#17becf"};

    private Figures() {}

    /** Loss (nats, left axis) and teacher-forced accuracy (right axis) per optimisation step of one run. */
    public static Figure trace(RunRecord run) {
        double[] steps = new double[run.trajectory().losses().size()];
        for (int i = 0; i < steps.length; i++) steps[i] = i;
        Trace loss = ScatterTrace.builder(steps, toArray(run.trajectory().losses())).mode(ScatterTrace.Mode.LINE).name("loss (nats/token)")
                .line(Line.builder().color(COLOURS[0]).build()).build();
        Trace acc = ScatterTrace.builder(steps, toArray(run.trajectory().accuracies())).mode(ScatterTrace.Mode.LINE)
                .name("teacher-forced accuracy").yAxis(ScatterTrace.YAxis.Y2).line(Line.builder().color(COLOURS[1]).build()).build();
        Layout layout = base("Cramming " + run.text().textId() + " (L = " + run.text().length() + " tokens, K = " + run.settings().nMem() + "): "
                + run.trajectory().stopReason() + " after " + run.trajectory().steps() + " steps")
                .xAxis(axis("optimisation step"))
                .yAxis(Axis.builder().title("cross-entropy, nats per token").build())
                .yAxis2(Axis.builder().title("accuracy").overlaying(ScatterTrace.YAxis.Y).side(Axis.Side.right).range(0, 1.02).build())
                .build();
        return figure(layout, loss, acc);
    }

    /** Mean best accuracy against length, one line per model, with the 0.99 threshold dotted. */
    public static Figure accuracyVsLength(Table accuracyByLength) {
        List<Trace> traces = new ArrayList<>();
        int c = 0;
        double maxLen = 0, minLen = Double.MAX_VALUE;
        for (Map.Entry<String, Table> e : split(accuracyByLength, "model_id").entrySet()) {
            Table t = e.getValue();
            maxLen = Math.max(maxLen, t.intColumn("length").max());
            minLen = Math.min(minLen, t.intColumn("length").min());
            traces.add(ScatterTrace.builder(t.intColumn("length"), t.doubleColumn("mean_accuracy"))
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(e.getKey())
                    .line(Line.builder().color(colour(c)).build()).marker(Marker.builder().color(colour(c++)).build()).build());
        }
        traces.add(hline(minLen, maxLen, Aggregates.LOSSLESS, "0.99 (lossless threshold)", "grey"));
        Layout layout = base("Mean best accuracy vs text length (1 memory vector)")
                .xAxis(gridLogAxis("text length, tokens (log scale)", accuracyByLength.intColumn("length").asDoubleArray()))
                .yAxis(Axis.builder().title("mean teacher-forced accuracy").build()).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /**
     * The paper's Figure 1: decoding capacity per model as bars, cramlab's measurements beside the paper's
     * published values (log scale: a tiny default model sits next to Llama-3.1-8B's 1568).
     */
    public static Figure capacityBars(Table capacityWithPaper) {
        List<Trace> traces = new ArrayList<>();
        int c = 0;
        for (Map.Entry<String, Table> e : split(capacityWithPaper, "origin").entrySet()) {
            traces.add(BarTrace.builder(e.getValue().stringColumn("model_id"), e.getValue().intColumn("capacity_tokens"))
                    .name(e.getKey()).marker(Marker.builder().color(colour(c++)).build()).build());
        }
        double max = capacityWithPaper.intColumn("capacity_tokens").max();
        // log range from 1 token (plotly takes log10 units): bars of a few tokens stay visible beside 1568
        Layout layout = base("How many tokens fit into a single input vector? (decoding capacity)")
                .barMode(Layout.BarMode.GROUP).xAxis(axis("model"))
                .yAxis(Axis.builder().title("decoding capacity, tokens (log scale)").type(Axis.Type.LOG)
                        .range(0, Math.log10(Math.max(2, max)) + 0.1).build()).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /**
     * The paper's Figure 3 for one model: CE of the text without memory against CE with the best memory
     * (nats, totals over the text), natural texts coloured by length, random texts in black, the slope-1
     * fit {@code y = x - C_H} dashed and the highest lossless CE dotted.
     */
    public static Figure entropy(String modelId, Collection<RunRecord> records) {
        List<RunRecord> natural = records.stream().filter(r -> !"random".equals(r.text().textSource())).toList();
        List<RunRecord> random = records.stream().filter(r -> "random".equals(r.text().textSource())).toList();
        List<Trace> traces = new ArrayList<>();
        double maxX = records.stream().mapToDouble(rec -> rec.metrics().originalCeNats()).max().orElse(1);
        if (!natural.isEmpty()) {
            double[] lengths = natural.stream().mapToDouble(rec -> rec.text().length()).toArray();
            traces.add(ScatterTrace.builder(col(natural, rec -> rec.metrics().originalCeNats()), col(natural, rec -> rec.metrics().bestCeNats()))
                    .mode(ScatterTrace.Mode.MARKERS).name("natural texts (colour: length, tokens)")
                    .text(natural.stream().map(r -> r.text().textId() + ", L=" + r.text().length() + ", acc " + fmt(r.metrics().bestAccuracy()))
                            .toArray(String[]::new))
                    .marker(Marker.builder().color(lengths).colorScale(Marker.Palette.VIRIDIS).showScale(true).size(9)
                            // colour bar in the lower right, below the legend
                            .colorBar(ColorBar.builder().len(0.55).y(0).yAnchor(ColorBar.Yanchor.BOTTOM).build()).build())
                    .build());
        }
        if (!random.isEmpty()) {
            traces.add(ScatterTrace.builder(col(random, rec -> rec.metrics().originalCeNats()), col(random, rec -> rec.metrics().bestCeNats()))
                    .mode(ScatterTrace.Mode.MARKERS).name("random word sequences")
                    .text(random.stream().map(r -> r.text().textId() + ", L=" + r.text().length()).toArray(String[]::new))
                    .marker(Marker.builder().color("black").size(6).symbol(Symbol.DIAMOND).build()).build());
        }
        double ch = Aggregates.fittedInformationGain(natural);
        if (!Double.isNaN(ch)) {
            traces.add(ScatterTrace.builder(new double[] {ch, maxX}, new double[] {0, maxX - ch}).mode(ScatterTrace.Mode.LINE)
                    .name(String.format(java.util.Locale.ROOT, "y = x - %.1f (slope-1 fit, C_H)", ch))
                    .line(Line.builder().color("black").dash(Line.Dash.DASH).build()).build());
        }
        double ceiling = records.stream().filter(r -> r.metrics().bestAccuracy() >= Aggregates.LOSSLESS).mapToDouble(rec -> rec.metrics().bestCeNats())
                .max().orElse(Double.NaN);
        if (!Double.isNaN(ceiling)) traces.add(hline(0, maxX, ceiling, "max CE of lossless runs", "red"));
        Layout layout = base("Information gain does not depend on the text (" + modelId + ")")
                .xAxis(axis("text cross-entropy without memory, nats"))
                .yAxis(axis("decompressed text cross-entropy (with memory), nats")).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /**
     * One panel of the paper's Figure 4 against the number of memory vectors (log-log): {@code metric} is
     * "capacity", "token_gain" or "information_gain"; gains get a ±1 std band; ideal linear scaling from
     * K = 1 is dashed.
     */
    public static Figure memoryVectors(Table byMemoryVectors, String metric) {
        String mean, std, ideal, title;
        switch (metric) {
            case "capacity" -> { mean = "capacity_tokens"; std = null; ideal = "ideal_capacity"; title = "decoding capacity, tokens"; }
            case "token_gain" -> { mean = "token_gain_mean"; std = "token_gain_std"; ideal = "ideal_token_gain"; title = "token gain, tokens"; }
            case "information_gain" -> { mean = "information_gain_mean"; std = "information_gain_std";
                ideal = "ideal_information_gain"; title = "information gain, nats"; }
            default -> throw new IllegalArgumentException("metric must be capacity, token_gain or information_gain, got " + metric);
        }
        List<Trace> traces = new ArrayList<>();
        int c = 0;
        for (Map.Entry<String, Table> e : split(byMemoryVectors, "model_id").entrySet()) {
            Table t = e.getValue();
            double[] k = t.intColumn("n_mem").asDoubleArray();
            double[] m = t.numberColumn(mean).asDoubleArray();
            String col = colour(c++);
            if (std != null) {
                double[] s = t.doubleColumn(std).asDoubleArray();
                double[] lo = new double[m.length], hi = new double[m.length];
                for (int i = 0; i < m.length; i++) {
                    double sd = Double.isNaN(s[i]) ? 0 : s[i];
                    lo[i] = m[i] - sd;
                    hi[i] = m[i] + sd;
                }
                traces.add(ScatterTrace.builder(k, lo).mode(ScatterTrace.Mode.LINE).showLegend(false)
                        .line(Line.builder().width(0).color(col).build()).name(e.getKey() + " -1 std").build());
                traces.add(ScatterTrace.builder(k, hi).mode(ScatterTrace.Mode.LINE).fill(ScatterTrace.Fill.TO_NEXT_Y)
                        .fillColor(col + "33").line(Line.builder().width(0).color(col).build()).name(e.getKey() + " ±1 std").build());
            }
            traces.add(ScatterTrace.builder(k, m).mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(e.getKey())
                    .line(Line.builder().color(col).build()).marker(Marker.builder().color(col).build()).build());
            traces.add(ScatterTrace.builder(k, t.doubleColumn(ideal).asDoubleArray()).mode(ScatterTrace.Mode.LINE)
                    .name(e.getKey() + " ideal linear scaling").line(Line.builder().color(col).dash(Line.Dash.DASH).build()).build());
        }
        Layout layout = base(title.substring(0, 1).toUpperCase() + title.substring(1, title.indexOf(',')) + " vs number of memory vectors")
                .xAxis(gridLogAxis("memory vectors K (log scale)", byMemoryVectors.intColumn("n_mem").asDoubleArray()))
                .yAxis(Axis.builder().title(title + " (log scale)").type(Axis.Type.LOG).build()).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /**
     * The paper's Figure 5, top: theoretical capacity {@code 16 d / log2|V|} against natural-text token gain
     * (log-log), the paper's models (marker size grows with parameters) and cramlab's.
     */
    public static Figure utilisationScatter(Table ours, Table paper) {
        double[] sizes = paper.doubleColumn("params_billions").asDoubleArray();
        for (int i = 0; i < sizes.length; i++) sizes[i] = 8 + 6 * Math.sqrt(sizes[i]);
        Trace p = ScatterTrace.builder(paper.doubleColumn("token_gain_natural"), paper.doubleColumn("theoretical_capacity"))
                .mode(ScatterTrace.Mode.MARKERS).name("paper's models (size: parameters)")
                .text(paper.stringColumn("model_id").asObjectArray())
                .marker(Marker.builder().size(sizes).color(COLOURS[0]).opacity(0.7).build()).build();
        Trace o = ScatterTrace.builder(ours.doubleColumn("token_gain_natural"), ours.doubleColumn("theoretical_capacity"))
                .mode(ScatterTrace.Mode.MARKERS).name("cramlab").text(ours.stringColumn("model_id").asObjectArray())
                .marker(Marker.builder().size(12).color(COLOURS[1]).symbol(Symbol.STAR).build()).build();
        Layout layout = base("Only a fraction of capacity is used")
                .xAxis(Axis.builder().title("token gain on natural text, tokens (log scale)").type(Axis.Type.LOG).build())
                .yAxis(Axis.builder().title("theoretical capacity 16d/log2|V|, tokens (log scale)").type(Axis.Type.LOG).build())
                .build();
        return figure(layout, p, o);
    }

    /** The paper's Figure 5, bottom: utilisation per model, natural against random text (paper's and ours). */
    public static Figure utilisationBars(Table ours, Table paper) {
        Table both = paper.selectColumns("model_id", "utilisation_natural", "utilisation_random").copy();
        both.append(ours.selectColumns("model_id", "utilisation_natural", "utilisation_random"));
        Trace natural = BarTrace.builder(both.stringColumn("model_id"), both.doubleColumn("utilisation_natural"))
                .name("natural text").marker(Marker.builder().color(COLOURS[0]).build()).build();
        Trace random = BarTrace.builder(both.stringColumn("model_id"), both.doubleColumn("utilisation_random"))
                .name("random text").marker(Marker.builder().color(COLOURS[1]).build()).build();
        Layout layout = base("Capacity utilisation = token gain / theoretical capacity").barMode(Layout.BarMode.GROUP)
                .xAxis(axis("model")).yAxis(axis("capacity utilisation (fraction)")).build();
        return figure(layout, natural, random);
    }

    /** The paper's Figure 7: densities of cosine similarity, same text against different texts. */
    public static Figure cosineDensities(Table cosine) {
        List<Trace> traces = new ArrayList<>();
        int c = 0;
        for (Map.Entry<String, Table> e : split(cosine, "kind").entrySet()) {
            traces.add(HistogramTrace.builder(e.getValue().doubleColumn("cosine")).name(e.getKey() + " (n=" + e.getValue().rowCount() + ")")
                    .histNorm(HistogramTrace.HistNorm.PROBABILITY_DENSITY).opacity(0.6).nBinsX(30)
                    .marker(Marker.builder().color(colour(c++)).build()).build());
        }
        Layout layout = base("Cosine similarity between memory vectors").barMode(Layout.BarMode.OVERLAY)
                .xAxis(axis("cosine similarity")).yAxis(axis("density")).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /** The paper's Figure 8: accuracy along the interpolation between two solutions, mean with min/max in grey. */
    public static Figure interpolation(Table summary) {
        List<Trace> traces = new ArrayList<>();
        int c = 0;
        for (Map.Entry<String, Table> e : split(summary, "model_id").entrySet()) {
            Table t = e.getValue().sortAscendingOn("alpha");
            double[] a = t.doubleColumn("alpha").asDoubleArray();
            traces.add(ScatterTrace.builder(a, t.doubleColumn("min_accuracy").asDoubleArray()).mode(ScatterTrace.Mode.LINE)
                    .name(e.getKey() + " min over pairs").line(Line.builder().color("grey").build()).build());
            traces.add(ScatterTrace.builder(a, t.doubleColumn("max_accuracy").asDoubleArray()).mode(ScatterTrace.Mode.LINE)
                    .name(e.getKey() + " max over pairs").line(Line.builder().color("grey").dash(Line.Dash.DOT).build()).build());
            traces.add(ScatterTrace.builder(a, t.doubleColumn("mean_accuracy").asDoubleArray())
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(e.getKey() + " mean")
                    .line(Line.builder().color(colour(c)).build()).marker(Marker.builder().color(colour(c++)).build()).build());
        }
        Layout layout = base("Reconstruction along the line between two solutions for the same text")
                .xAxis(axis("interpolation weight a in (1 - a) m1 + a m2"))
                .yAxis(Axis.builder().title("teacher-forced accuracy").range(0, 1.02).build()).build();
        return figure(layout, traces.toArray(Trace[]::new));
    }

    /** No mode bar: it would show in every PNG; zoom by dragging still works. */
    private static Figure figure(Layout layout, Trace... traces) {
        return new Figure(layout, Config.builder().displayModeBar(false).build(), traces);
    }

    private static Layout.LayoutBuilder base(String title) {
        return Layout.builder().title(title).showLegend(true).width(950).height(560);
    }

    /**
     * A log axis ticked at the grid values the data was measured at (lengths, K). Plotly's own ticks on a
     * short log range label minor ticks with their leading digit only (20, 30, 40 shown as "2", "3", "4").
     */
    static Axis gridLogAxis(String title, double[] values) {
        double[] ticks = java.util.Arrays.stream(values).filter(v -> v > 0).distinct().sorted().toArray();
        String[] labels = java.util.Arrays.stream(ticks).mapToObj(v -> v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v))
                .toArray(String[]::new);
        return Axis.builder().title(title).type(Axis.Type.LOG)
                .tickSettings(TickSettings.builder().tickMode(TickSettings.TickMode.ARRAY).arrayTicks(ticks, labels).build()).build();
    }

    private static Axis axis(String title) {
        return Axis.builder().title(title).build();
    }

    private static Trace hline(double x0, double x1, double y, String name, String colour) {
        return ScatterTrace.builder(new double[] {x0, x1}, new double[] {y, y}).mode(ScatterTrace.Mode.LINE).name(name)
                .line(Line.builder().color(colour).dash(Line.Dash.DOT).build()).build();
    }

    private static Map<String, Table> split(Table t, String column) {
        Map<String, Table> out = new TreeMap<>();
        for (String key : t.stringColumn(column).unique().asList()) out.put(key, t.where(t.stringColumn(column).isEqualTo(key)));
        return out;
    }

    private static String colour(int i) {
        return COLOURS[i % COLOURS.length];
    }

    private static double[] toArray(List<Double> xs) {
        return xs.stream().mapToDouble(d -> d == null ? Double.NaN : d).toArray();
    }

    private static double[] col(List<RunRecord> rs, java.util.function.ToDoubleFunction<RunRecord> f) {
        return rs.stream().mapToDouble(f).toArray();
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    /** Records grouped by model id (sorted), for one figure per model. */
    public static Map<String, List<RunRecord>> byModel(Collection<RunRecord> records) {
        return records.stream().collect(Collectors.groupingBy(rec -> rec.settings().modelId(), TreeMap::new, Collectors.toList()));
    }
}
