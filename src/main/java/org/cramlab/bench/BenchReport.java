package org.cramlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark output: titled text tables for the terminal and one long-format CSV
 * ({@code section,model,L,B,metric,value,unit}) for plots and the README.
 */
public final class BenchReport {

    /** One CSV line; {@code length}/{@code batch} are 0 where they do not apply. */
    public record Row(String section, String model, int length, int batch, String metric, double value, String unit) {}

    /** A text table. */
    public record Table(String title, List<String> headers, List<List<String>> rows) {}

    private final List<Row> rows = new ArrayList<>();
    private final List<Table> tables = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /** Adds a CSV row. */
    public void add(String section, String model, int length, int batch, String metric, double value, String unit) {
        rows.add(new Row(section, model, length, batch, metric, value, unit));
    }

    /** Adds a text table. */
    public void add(Table table) {
        tables.add(table);
    }

    /** Adds a line printed under the tables (targets, skipped parts). */
    public void note(String line) {
        notes.add(line);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** All tables and notes as text. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Table t : tables) {
            sb.append(render(t)).append('\n');
        }
        notes.forEach(n -> sb.append(n).append('\n'));
        return sb.toString();
    }

    /** Renders a table with columns padded to their widest cell, numbers right-aligned. */
    static String render(Table t) {
        int cols = t.headers().size();
        int[] width = new int[cols];
        for (int c = 0; c < cols; c++) {
            width[c] = t.headers().get(c).length();
            for (List<String> r : t.rows()) {
                if (r.size() != cols) {
                    throw new BenchException("table '" + t.title() + "' row " + r + " has " + r.size() + " cells, expected " + cols);
                }
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder(t.title()).append('\n');
        line(sb, t.headers(), width);
        List<String> rule = new ArrayList<>();
        for (int w : width) {
            rule.add("-".repeat(w));
        }
        line(sb, rule, width);
        t.rows().forEach(r -> line(sb, r, width));
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        for (int c = 0; c < cells.size(); c++) {
            String v = cells.get(c);
            boolean numeric = !v.isEmpty() && (Character.isDigit(v.charAt(0)) || v.charAt(0) == '-' && v.length() > 1);
            String pad = " ".repeat(width[c] - v.length());
            sb.append(c == 0 ? "" : "  ").append(numeric ? pad + v : v + pad);
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }

    /** The CSV text: header line, then one line per row (RFC 4180 quoting, '.' decimals, NaN empty). */
    public String csv() {
        StringBuilder sb = new StringBuilder("section,model,L,B,metric,value,unit\n");
        for (Row r : rows) {
            sb.append(quote(r.section())).append(',').append(quote(r.model())).append(',')
                    .append(r.length()).append(',').append(r.batch()).append(',').append(quote(r.metric())).append(',')
                    .append(Double.isFinite(r.value()) ? number(r.value()) : "").append(',').append(quote(r.unit()))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Writes {@link #csv()} to {@code file}. */
    public void writeCsv(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, csv());
        } catch (IOException e) {
            throw new BenchException("cannot write CSV " + file + ": " + e, e);
        }
    }

    static String quote(String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /** Up to 6 significant decimals, no exponent for ordinary values, no trailing zeros. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains("e")) {
            return s;
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** A fixed-decimals cell, "n/a" for NaN. */
    public static String fmt(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "n/a";
    }
}
