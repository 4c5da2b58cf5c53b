package org.cramlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.BlockPath;
import org.junit.jupiter.api.Test;

/** {@code bench paths} on a golden fixture: one row per length and path, the baseline's ratio 1; bad options refused. */
class PathBenchTest {

    private static final Path LLAMA = Path.of("src/test/resources/golden/llama");

    private static PathBench.Options options(List<BlockPath> paths, List<Integer> lengths, int rounds) {
        return new PathBench.Options(LLAMA, paths, AttentionPath.AUTO, lengths, 2, 1, rounds, 1, false, 0);
    }

    @Test
    void everyLengthAndPathGetsARowAndTheBaselineIsOne() {
        StringWriter log = new StringWriter();
        BenchReport r = PathBench.run(options(List.of(BlockPath.EXPLICIT, BlockPath.LAYER), List.of(8, 16), 3),
                new PrintWriter(log, true));
        List<BenchReport.Row> ratios = r.rows().stream().filter(row -> row.unit().equals("ratio")).toList();
        assertEquals(4, ratios.size(), "2 lengths x 2 paths: " + r.rows());
        for (BenchReport.Row row : ratios) {
            if (row.metric().startsWith("explicit")) {
                assertEquals(1.0, row.value(), 1e-12, "the baseline against itself");
            } else {
                assertTrue(row.value() > 0 && Double.isFinite(row.value()), row.toString());
            }
        }
        assertTrue(r.text().contains("layer") && log.toString().contains("round 3/3"), r.text() + log);
    }

    @Test
    void badOptionsAreRefused() {
        BenchException one = assertThrows(BenchException.class, () -> options(List.of(BlockPath.LAYER), List.of(8), 1));
        assertTrue(one.getMessage().contains("--paths"), one.getMessage());
        BenchException same = assertThrows(BenchException.class,
                () -> options(List.of(BlockPath.LAYER, BlockPath.LAYER), List.of(8), 1));
        assertTrue(same.getMessage().contains("different"), same.getMessage());
        BenchException rounds = assertThrows(BenchException.class,
                () -> options(List.of(BlockPath.EXPLICIT, BlockPath.LAYER), List.of(8), 0));
        assertTrue(rounds.getMessage().contains("--rounds"), rounds.getMessage());
    }
}
