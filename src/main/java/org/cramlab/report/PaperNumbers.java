package org.cramlab.report;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * The paper's published numbers, from cramlab's own copies under {@code cramlab/paper/} (see SOURCES.md
 * there): never fetched at run time.
 */
public final class PaperNumbers {
    private PaperNumbers() {}

    /**
     * Table 1, Figure 1 and Figure 4 in long form: figure, model, source (pg19, fanfics, random), n_mem,
     * metric (max_tokens, token_gain, information_gain_nats), mean, std. The Mamba rows of "table1" and
     * "figure1" are the paper's v2 (its repository's Mamba notebook; PG-19 and random text only).
     */
    public static Table numbers() {
        return read("paper_numbers.csv", "paper numbers");
    }

    /** Rows of {@link #numbers()} for one figure ("table1", "figure1", "figure4"). */
    public static Table figure(String figure) {
        Table t = numbers();
        return t.where(t.stringColumn("figure").isEqualTo(figure)).setName("paper " + figure);
    }

    /**
     * Table 1 with one row per model and text source, laid out as {@code CapacityVsEntropy.table1}
     * lays out ours: model, source, max_tokens, token_gain and information_gain_nats as the paper
     * prints them ("70.9±11.0"), then their means and stds as numbers. Includes the v2 Mamba rows.
     */
    public static Table table1() {
        Table t = figure("table1");
        StringColumn model = StringColumn.create("model"), source = StringColumn.create("source"),
                gainText = StringColumn.create("token_gain"), infoText = StringColumn.create("information_gain_nats");
        IntColumn max = IntColumn.create("max_tokens");
        DoubleColumn gm = DoubleColumn.create("token_gain_mean"), gs = DoubleColumn.create("token_gain_std"),
                im = DoubleColumn.create("information_gain_mean"), is = DoubleColumn.create("information_gain_std");
        Map<String, Map<String, Double[]>> rows = new LinkedHashMap<>(); // "model\tsource" -> metric -> {mean, std}
        for (int i = 0; i < t.rowCount(); i++) {
            String key = t.stringColumn("model").get(i) + "\t" + t.stringColumn("source").get(i);
            DoubleColumn std = t.numberColumn("std").asDoubleColumn();
            rows.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(t.stringColumn("metric").get(i),
                    new Double[] {t.numberColumn("mean").getDouble(i), std.isMissing(i) ? Double.NaN : std.getDouble(i)});
        }
        rows.forEach((key, metrics) -> {
            String[] ms = key.split("\t");
            model.append(ms[0]);
            source.append(ms[1]);
            max.append((int) Math.round(metrics.get("max_tokens")[0]));
            Double[] g = metrics.get("token_gain");
            Double[] info = metrics.get("information_gain_nats");
            gainText.append(new MeanStd(g[0], g[1], 0).toString());
            infoText.append(new MeanStd(info[0], info[1], 0).toString());
            gm.append(g[0]);
            gs.append(g[1]);
            im.append(info[0]);
            is.append(info[1]);
        });
        return Table.create("paper Table 1 (Mamba rows: v2)", model, source, max, gainText, infoText, gm, gs, im, is);
    }

    /**
     * The paper repository's {@code models_list_add_mamba.csv} (Figure 5's inputs): per model its hidden
     * size, vocabulary size, theoretical capacity, gains and utilisation (columns "PG19", "Random").
     */
    public static Table modelsList() {
        return read("models_list_add_mamba.csv", "paper models list");
    }

    private static Table read(String resource, String name) {
        String path = "/cramlab/paper/" + resource;
        try (InputStream in = PaperNumbers.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("resource " + path + " missing from the cramlab jar");
            return Table.read().csv(CsvReadOptions.builder(in).tableName(name).build());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + path, e);
        }
    }
}
