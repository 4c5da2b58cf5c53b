package org.cramlab.report;

import java.io.IOException;
import java.io.InputStream;
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
     * metric (max_tokens, token_gain, information_gain_nats), mean, std.
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
