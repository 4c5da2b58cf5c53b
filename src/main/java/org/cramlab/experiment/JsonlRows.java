package org.cramlab.experiment;

import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.core.Json;
import org.cramlab.core.JsonErrors;
import org.cramlab.run.ExperimentException;

/** Rows of measurements appended to a JSON-lines file per finished unit of work and read back by key. */
final class JsonlRows {

    private JsonlRows() {}

    /** Rows of a jsonl file grouped by their "key" (in file order); empty when the file does not exist. */
    static Map<String, List<Map<String, Object>>> readBack(Path file) {
        Map<String, List<Map<String, Object>>> byKey = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return byKey;
        }
        try {
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Map<String, Object> row = Json.COMPACT.fromJson(line, new TypeToken<Map<String, Object>>() {}.getType());
                    byKey.computeIfAbsent((String) row.get("key"), k -> new ArrayList<>()).add(row);
                } catch (RuntimeException e) {
                    throw new ExperimentException(file + " line " + n + " is not a JSON row: " + JsonErrors.describe(e));
                }
            }
        } catch (IOException e) {
            throw new ExperimentException("cannot read " + file + ": " + e.getMessage());
        }
        return byKey;
    }

    /** Appends one text's rows at once, so a crash loses at most the text in flight. */
    static void append(Path file, List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : rows) {
            sb.append(Json.COMPACT.toJson(r)).append('\n');
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, sb, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ExperimentException("cannot append to " + file + ": " + e.getMessage());
        }
    }
}
