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
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSets;

/**
 * Reads the texts of a capacity search: {@code .csv} with a {@code text} column (the paper's chunk
 * files; the second half of each chunk's sentences, as its {@code train.py}), {@code .jsonl} with a {@code text} and optional {@code id} field
 * per line, or any other file as one text per non-blank line.
 */
final class TextsFile {

    private TextsFile() {}

    static List<Capacity.Text> read(Path file, int limit, TextTokenizer tokenizer) {
        if (!Files.isRegularFile(file)) {
            throw new CramException("--texts " + file + " does not exist or is not a file");
        }
        String name = file.getFileName().toString();
        String stem = name.replaceAll("\\.[^.]*$", "");
        List<Capacity.Text> out = new ArrayList<>();
        try {
            if (name.endsWith(".csv")) {
                // the paper's chunk files: the second half of each chunk's sentences, as train.py
                for (TextSample t : TextSets.chunkCsv(file, tokenizer, 2, limit)) {
                    if (t.text().isBlank()) {
                        throw new CramException("--texts " + file + " text " + t.id() + " is empty: expected a non-empty 'text'");
                    }
                    out.add(new Capacity.Text(t.id(), t.source(), t.text()));
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
                    if (o.get("text").isJsonNull() || o.get("text").getAsString().isBlank()) {
                        throw new CramException("--texts " + file + " line " + (i + 1) + " has an empty \"text\":"
                                + " expected a non-empty text (was it written with `texts --tokens` < 2?)");
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
