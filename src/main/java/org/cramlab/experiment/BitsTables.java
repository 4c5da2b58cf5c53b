package org.cramlab.experiment;

import java.util.List;
import java.util.Map;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import org.cramlab.run.ExperimentException;

/** The bits experiment's rows as Tablesaw tables: compression, precision curve and their summaries. */
public final class BitsTables {

    private BitsTables() {}

    static Table compression(List<Map<String, Object>> rows) {
        Table t = Table.create("compression",
                StringColumn.create("model"), StringColumn.create("text"), IntColumn.create("tokens"),
                IntColumn.create("bytes"), StringColumn.create("method"), IntColumn.create("size_bytes"),
                DoubleColumn.create("bits_per_byte"), DoubleColumn.create("ratio"), IntColumn.create("header_bytes"),
                IntColumn.create("memory_bytes"), IntColumn.create("token_bytes"), DoubleColumn.create("memory_share"),
                DoubleColumn.create("token_share"), StringColumn.create("note"));
        for (Map<String, Object> r : rows) {
            t.stringColumn("model").append((String) r.get("model"));
            t.stringColumn("text").append((String) r.get("text"));
            t.intColumn("tokens").append(num(r, "tokens").intValue());
            t.intColumn("bytes").append(num(r, "bytes").intValue());
            t.stringColumn("method").append((String) r.get("method"));
            t.intColumn("size_bytes").append(num(r, "size_bytes").intValue());
            t.doubleColumn("bits_per_byte").append(round(num(r, "bits_per_byte").doubleValue()));
            t.doubleColumn("ratio").append(round(num(r, "ratio").doubleValue()));
            t.intColumn("header_bytes").append(num(r, "header_bytes").intValue());
            t.intColumn("memory_bytes").append(num(r, "memory_bytes").intValue());
            t.intColumn("token_bytes").append(num(r, "token_bytes").intValue());
            t.doubleColumn("memory_share").append(round(num(r, "memory_share").doubleValue()));
            t.doubleColumn("token_share").append(round(num(r, "token_share").doubleValue()));
            t.stringColumn("note").append((String) r.get("note"));
        }
        return t;
    }


    /** Mean bits per byte per model and method (over texts). */
    public static Table summary(Table compression) {
        return compression.summarize("bits_per_byte", "size_bytes", "bytes",
                tech.tablesaw.aggregate.AggregateFunctions.mean).by("model", "method");
    }


    static Table precision(List<Map<String, Object>> rows) {
        Table t = Table.create("precision",
                StringColumn.create("model"), StringColumn.create("text"), IntColumn.create("tokens"),
                IntColumn.create("k"), DoubleColumn.create("text_bits"), BooleanColumn.create("solved"),
                StringColumn.create("precision"), IntColumn.create("bits_per_dim"), IntColumn.create("memory_bits"),
                BooleanColumn.create("exact"), IntColumn.create("prefix"), BooleanColumn.create("exact_after_qat"),
                IntColumn.create("qat_steps"));
        for (Map<String, Object> r : rows) {
            t.stringColumn("model").append((String) r.get("model"));
            t.stringColumn("text").append((String) r.get("text"));
            t.intColumn("tokens").append(num(r, "tokens").intValue());
            t.intColumn("k").append(num(r, "k").intValue());
            t.doubleColumn("text_bits").append(round(num(r, "text_bits").doubleValue()));
            t.booleanColumn("solved").append((Boolean) r.get("solved"));
            t.stringColumn("precision").append((String) r.get("precision"));
            t.intColumn("bits_per_dim").append(num(r, "bits_per_dim").intValue());
            t.intColumn("memory_bits").append(num(r, "memory_bits").intValue());
            t.booleanColumn("exact").append((Boolean) r.get("exact"));
            t.intColumn("prefix").append(num(r, "prefix").intValue());
            t.booleanColumn("exact_after_qat").append((Boolean) r.get("exact_after_qat"));
            t.intColumn("qat_steps").append(num(r, "qat_steps").intValue());
        }
        return t;
    }


    /**
     * Per model and text: the fewest uniform bits per dimension with exact greedy decoding (at that b
     * and every b above it), before and after straight-through re-optimisation, the memory's bits at
     * that b and the text's own bits (cross-entropy under the model alone).
     */
    public static Table fewestBits(Table precision) {
        Table t = Table.create("fewest-bits", StringColumn.create("model"), StringColumn.create("text"),
                IntColumn.create("tokens"), DoubleColumn.create("text_bits"), IntColumn.create("fewest_bits"),
                IntColumn.create("memory_bits"), IntColumn.create("fewest_bits_after_qat"));
        for (Table g : precision.splitOn("model", "text").asTableList()) {
            if (!g.booleanColumn("solved").get(0)) {
                continue;
            }
            Integer plain = fewest(g, "exact");
            Integer qat = fewest(g, "exact_after_qat");
            t.stringColumn("model").append(g.stringColumn("model").get(0));
            t.stringColumn("text").append(g.stringColumn("text").get(0));
            t.intColumn("tokens").append(g.intColumn("tokens").get(0));
            t.doubleColumn("text_bits").append(g.doubleColumn("text_bits").get(0));
            appendOrMissing(t.intColumn("fewest_bits"), plain);
            Integer memBits = null;
            for (int i = 0; plain != null && i < g.rowCount(); i++) {
                if (g.stringColumn("precision").get(i).equals("int" + plain)) {
                    memBits = g.intColumn("memory_bits").get(i);
                }
            }
            appendOrMissing(t.intColumn("memory_bits"), memBits);
            appendOrMissing(t.intColumn("fewest_bits_after_qat"), qat);
        }
        return t;
    }


    private static Integer fewest(Table g, String column) {
        Integer fewest = null;
        for (int b = 16; b >= 1; b--) {
            for (int i = 0; i < g.rowCount(); i++) {
                if (g.stringColumn("precision").get(i).equals("int" + b)) {
                    if (!g.booleanColumn(column).get(i)) {
                        return fewest;
                    }
                    fewest = b;
                }
            }
        }
        return fewest;
    }


    private static void appendOrMissing(IntColumn c, Integer v) {
        if (v == null) {
            c.appendMissing();
        } else {
            c.append(v);
        }
    }


    private static Number num(Map<String, Object> r, String key) {
        Object v = r.get(key);
        if (!(v instanceof Number n)) {
            throw new ExperimentException("row " + r.get("key") + ": field " + key + " is " + v + ", expected a number");
        }
        return n;
    }


    private static double round(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
