package org.cramlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cramlab.report.InitFigures;
import org.junit.jupiter.api.Test;

/**
 * Notebook 11 as environment/run-notebooks finds it (every notebooks/*.ipynb): a Java notebook whose first
 * code cell opens its lab, and whose calls into the library name methods that exist (a rename would break
 * the notebook only at run time otherwise).
 */
class LearnedInitialisationsNotebookTest {

    static final Path NOTEBOOK = Path.of("notebooks/11-learned-initialisations.ipynb");

    @Test
    void notebookOpensItsLabAndCallsExistingMethods() throws IOException {
        JsonObject nb = JsonParser.parseString(Files.readString(NOTEBOOK)).getAsJsonObject();
        assertEquals(4, nb.get("nbformat").getAsInt());
        assertEquals("java", nb.getAsJsonObject("metadata").getAsJsonObject("kernelspec").get("name").getAsString());
        List<String> code = new ArrayList<>();
        for (JsonElement cell : nb.getAsJsonArray("cells")) {
            JsonObject c = cell.getAsJsonObject();
            if (!c.get("cell_type").getAsString().equals("code")) continue;
            StringBuilder sb = new StringBuilder();
            for (JsonElement line : c.getAsJsonArray("source")) sb.append(line.getAsString());
            code.add(sb.toString());
            assertTrue(c.getAsJsonArray("outputs").isEmpty(), "committed without outputs");
        }
        assertTrue(code.get(0).contains("Lab.open(\"learned-initialisations\")"), code.get(0));
        Map<String, Class<?>> classes = Map.of("InitBudget", InitBudget.class, "experiment", InitBudget.class,
                "BudgetCurves", BudgetCurves.class, "InitFigures", InitFigures.class, "result", InitBudget.Result.class);
        Matcher m = Pattern.compile("\\b(InitBudget|experiment|BudgetCurves|InitFigures|result)\\.(\\w+)\\(")
                .matcher(String.join("\n", code));
        int calls = 0;
        while (m.find()) {
            String name = m.group(2);
            Method[] methods = classes.get(m.group(1)).getMethods();
            assertTrue(Arrays.stream(methods).anyMatch(x -> x.getName().equals(name)), m.group() + " has no such method");
            calls++;
        }
        assertTrue(calls >= 10, "found " + calls + " library calls");
    }
}
