package org.cramlab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cramlab.core.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/** The notebook kit: profile and run folder from the environment, tables saved and shown, progress shown in place. */
class LabTest {

    @TempDir
    Path tmp;

    private final List<String> shown = new ArrayList<>();
    private final List<String> replaced = new ArrayList<>();

    private Lab open(String folder, Map<String, String> env) {
        return Lab.open(folder, env, tmp.resolve("model"), html -> {
            shown.add(html);
            return "out-" + shown.size();
        }, (id, html) -> replaced.add(id));
    }

    @Test
    void profileAndRunFolderComeFromTheEnvironment() {
        Lab lab = open("capacity-k1", Map.of("CRAMLAB_OUT", tmp.toString(), "CRAMLAB_SEED", "7",
                "CRAMLAB_PROFILE", "paper"));
        assertEquals(tmp.resolve("capacity-k1"), lab.out());
        assertEquals("paper", lab.profile().name());
        assertEquals(7, lab.profile().seed());
        assertEquals(List.of(tmp.resolve("model").toString()), lab.profile().modelDirs());
        assertEquals(tmp.resolve("capacity-k1").resolve("report"), lab.report().dir());
        assertThrows(NotebookException.class, () -> open("../elsewhere", Map.of()));
        assertThrows(NotebookException.class, () -> open(" ", Map.of()));
    }

    @Test
    void tablesAreSavedAndShownAndProgressUpdatesOneOutput() throws Exception {
        Lab lab = open("t", Map.of("CRAMLAB_OUT", tmp.toString()));
        Table t = Table.create("numbers", IntColumn.create("n", 1, 2, 3));
        lab.table("numbers", t);
        assertTrue(Files.readString(tmp.resolve("t/report/numbers.csv")).startsWith("n"));
        lab.save("quiet", t);
        assertTrue(Files.isRegularFile(tmp.resolve("t/report/quiet.csv")));
        assertEquals(1, shown.size());
        assertTrue(shown.get(0).contains("<table"), shown.get(0));
        try (Progress p = lab.progress().start("runs", 2)) {
            p.advance();
        }
        assertEquals(2, shown.size(), "the progress display is shown once");
        assertEquals(List.of("out-2", "out-2"), replaced, "then updated in place");
        try (Progress p = lab.progress().start("more runs", 1)) {
            p.advance();
        }
        assertEquals(3, shown.size(), "a second progress gets its own output");
        assertEquals(List.of("out-2", "out-2", "out-3", "out-3"), replaced);
    }

    @Test
    void integerParametersNameTheVariableWhenBad() {
        assertEquals(4, Lab.intParam(Map.of(), "CRAMLAB_MEM", 4));
        assertEquals(8, Lab.intParam(Map.of("CRAMLAB_MEM", " 8 "), "CRAMLAB_MEM", 4));
        NotebookException e = assertThrows(NotebookException.class,
                () -> Lab.intParam(Map.of("CRAMLAB_MEM", "four"), "CRAMLAB_MEM", 4));
        assertTrue(e.getMessage().contains("CRAMLAB_MEM") && e.getMessage().contains("four"), e.getMessage());
    }
}
