package org.cramlab.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.cram.Capacity;
import org.cramlab.cram.CramException;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Reads the texts of a capacity search: {@code .csv} with a {@code text} column (the paper's chunk
 * files; the whole cell is used), {@code .jsonl} with a {@code text} and optional {@code id} field
 * per line, or any other file as one text per non-blank line.
 */
final class TextsFile {

    private TextsFile() {}

    // TODO(lead): route .csv through org.cramlab.text's paper-format source (second half of the
    // chunk's sentences, as train.py) once branch `text` provides it.
    static List<Capacity.Text> read(Path file, int limit) {
        if (!Files.isRegularFile(file)) {
            throw new CramException("--texts " + file + " does not exist or is not a file");
        }
        String name = file.getFileName().toString();
        String stem = name.replaceAll("\\.[^.]*$", "");
        List<Capacity.Text> out = new ArrayList<>();
        try {
            if (name.endsWith(".csv")) {
                Table t = Table.read().csv(CsvReadOptions.builder(file.toFile()).maxCharsPerColumn(10_000_000).build());
                if (!t.columnNames().contains("text")) {
                    throw new CramException("--texts " + file + " has no 'text' column (columns: " + t.columnNames() + ")");
                }
                Column<?> col = t.column("text");
                for (int i = 0; i < t.rowCount() && out.size() < limit; i++) {
                    out.add(new Capacity.Text(stem + ":" + i, "csv", col.getString(i)));
                }
            } else if (name.endsWith(".jsonl")) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size() && out.size() < limit; i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
                    if (!o.has("text")) {
                        throw new CramException("--texts " + file + " line " + (i + 1) + " has no \"text\" field");
                    }
                    String id = o.has("id") ? o.get("id").getAsString() : stem + ":" + i;
                    out.add(new Capacity.Text(id, "file", o.get("text").getAsString()));
                }
            } else {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size() && out.size() < limit; i++) {
                    if (!lines.get(i).isBlank()) {
                        out.add(new Capacity.Text(stem + ":" + i, "file", lines.get(i)));
                    }
                }
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new CramException("cannot read --texts " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new CramException("--texts " + file + " holds no texts");
        }
        return out;
    }
}
