package org.cramlab.report;

import static org.cramlab.run.TestRecords.record;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.cramlab.cram.RunRecord;
import org.cramlab.experiment.CapacityUtilisation;
import org.cramlab.experiment.CapacityVsLength;
import org.cramlab.experiment.CapacityVsMemoryVectors;
import org.cramlab.experiment.MemoryGeometry;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

class FiguresTest {

    static String js(Figure f) {
        return f.asJavascript("plot");
    }

    static final List<RunRecord> RUNS = List.of(record("a", "tiny", "book:0", 8, 1, 0.3, 1.0, 30, 1),
            record("b", "tiny", "book:0", 16, 1, 0.3, 0.8, 60, 20), record("c", "tiny", "book:1", 32, 1, 0.3, 0.6, 120, 78),
            record("d", "tiny", "random:0", 11, 1, 0.1, 0.7, 90, 50), record("e", "tiny", "book:0", 16, 2, 0.3, 1.0, 60, 2),
            record("f", "tiny", "book:0", 32, 2, 0.3, 0.9, 120, 40));

    @Test
    void accuracyAndCapacityFiguresHaveLogLengthAxisAndPaperBars() {
        String acc = js(Figures.accuracyVsLength(CapacityVsLength.accuracyByLength(RUNS.subList(0, 4))));
        assertTrue(acc.contains("text length, tokens (log scale)") && acc.contains("'log'"), acc);
        assertTrue(acc.contains("0.99 (lossless threshold)"));
        // ticks at the measured lengths, labelled in full (plotly's own minor ticks read "2", "3" for 20, 30)
        assertTrue(acc.replace(" ", "").contains("tickvals:[8.0,11.0,16.0,32.0]") && acc.contains("\"11\"") && acc.contains("\"32\""), acc);
        Table cap = CapacityVsLength.withPaper(CapacityVsLength.capacity(RUNS.subList(0, 3)), PaperNumbers.figure("figure1"));
        String bars = js(Figures.capacityBars(cap));
        assertTrue(bars.contains("Llama-3.1-8B") && bars.contains("1568") && bars.contains("cramlab") && bars.contains("paper"));
        assertTrue(bars.contains("decoding capacity, tokens"));
        assertTrue(bars.replace(" ", "").contains("range:[\"0\",\"3.295"), "log range from 1 token to above Llama-3.1-8B's 1568: " + bars);
    }

    @Test
    void entropyFigureShowsFitLineAndRandomTexts() {
        String f = js(Figures.entropy("tiny", RUNS.subList(0, 4)));
        // saturated natural runs b, c: info gains 40 and 42 -> C_H = 41
        assertTrue(f.contains("y = x - 41.0 (slope-1 fit, C_H)"), f);
        assertTrue(f.contains("random word sequences") && f.contains("nats"));
        assertTrue(f.contains("max CE of lossless runs"));
    }

    @Test
    void memoryVectorFiguresAreLogLogWithIdealLine() {
        Table byK = CapacityVsMemoryVectors.byMemoryVectors(RUNS.stream().filter(r -> r.text().textSource().equals("book")).toList());
        for (String metric : List.of("capacity", "token_gain", "information_gain")) {
            String f = js(Figures.memoryVectors(byK, metric));
            assertTrue(f.contains("memory vectors K (log scale)") && f.contains("tiny ideal linear scaling"), metric);
            assertEquals(2, f.split("'log'", -1).length - 1, metric + ": both axes log");
            assertTrue(f.replace(" ", "").contains("tickvals:[1.0,2.0]"), metric + ": K ticks at the measured K");
        }
        assertThrows(IllegalArgumentException.class, () -> Figures.memoryVectors(byK, "speed"));
    }

    @Test
    void utilisationAndGeometryFigures() {
        Table ours = CapacityUtilisation.utilisation(RUNS);
        Table paper = CapacityUtilisation.paperReference();
        assertTrue(js(Figures.utilisationScatter(ours, paper)).contains("theoretical capacity 16d/log2|V|, tokens"));
        String bars = js(Figures.utilisationBars(ours, paper));
        assertTrue(bars.contains("natural text") && bars.contains("random text") && bars.contains("Mamba-1.4B") && bars.contains("tiny"));

        RunRecord x1 = record("x1", "tiny", "book:0", 8, 1, 0.3, 1.0, 30, 1), x2 = record("x2", "tiny", "book:0", 8, 1, 0.3, 1.0, 30, 1),
                y1 = record("y1", "tiny", "book:1", 8, 1, 0.3, 1.0, 30, 1);
        Map<RunRecord, float[]> mem = new java.util.LinkedHashMap<>();
        mem.put(x1, new float[] {1, 0});
        mem.put(x2, new float[] {1, 1});
        mem.put(y1, new float[] {0, 1});
        Table cos = MemoryGeometry.cosineSimilarities(mem);
        assertEquals(3, cos.rowCount());
        assertEquals(1 / Math.sqrt(2), cos.where(cos.stringColumn("run_b").isEqualTo("x2")).doubleColumn("cosine").get(0), 1e-6);
        assertEquals(0.0, cos.where(cos.stringColumn("run_a").isEqualTo("x1").and(cos.stringColumn("run_b").isEqualTo("y1")))
                .doubleColumn("cosine").get(0), 1e-6);
        assertTrue(js(Figures.cosineDensities(cos)).contains("same text (n=1)"));

        // accuracy = 1 - |distance from the nearer end| on the line from (1,0) to (1,1): 1 at both ends
        Table interp = MemoryGeometry.interpolation(mem, 5,
                (runs, ms) -> ms.stream().mapToDouble(m -> 1 - Math.min(m[1], 1 - m[1])).toArray());
        assertEquals(5, interp.rowCount(), "one same-text pair, 5 points");
        assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), interp.doubleColumn("alpha").asList());
        assertEquals(0.5, interp.doubleColumn("accuracy").get(2), 1e-6);
        Table summary = MemoryGeometry.interpolationSummary(interp);
        String f = js(Figures.interpolation(summary));
        assertTrue(f.contains("tiny min over pairs") && f.contains("teacher-forced accuracy"));
    }

    @Test
    void recordTableHasOneRowPerRunWithThePaperMetrics() {
        Table t = RecordTable.of("runs", RUNS);
        assertEquals(RUNS.size(), t.rowCount());
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), t.stringColumn("run_id").asList());
        assertEquals(40.0, t.doubleColumn("information_gain_nats").get(1), 1e-9); // 60 - 20
        assertEquals((0.8 - 0.3) * 16, t.doubleColumn("token_gain").get(1), 1e-9);
        assertEquals(List.of(false, false, false, true, false, false), t.booleanColumn("random").asList());
    }

    @Test
    void traceFigureHasTwoAxes() {
        String f = js(Figures.trace(RUNS.get(0)));
        assertTrue(f.contains("cross-entropy, nats per token") && f.contains("'y2'") && f.contains("optimisation step"), f);
    }
}
