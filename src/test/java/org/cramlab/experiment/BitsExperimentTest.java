package org.cramlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cramlab.bits.Baselines;
import org.cramlab.bits.Precision;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Progress;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.TextSets;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** The bits experiment at a tiny size: real sizes in the table, persisted rows read back, the precision curve. */
class BitsExperimentTest {

    @Test
    void compressionTableHoldsRealSizesAndResumes(@TempDir Path out) throws IOException {
        String dir = DefaultModel.directory().toString();
        BitsExperiment e = new BitsExperiment("test", List.of(dir), List.of(16), 1, 0, 1, Precision.uniform(8), 3, 1, 4,
                400, 5, 7);
        Table t = e.compression(out, Progress.onConsole());
        assertEquals(5, t.rowCount());
        String text;
        try (TextTokenizer tok = TextTokenizer.load(Path.of(dir))) {
            text = TextSets.bookChunks(BookCorpus.load(), tok, 16, 1, 7 + 16).samples().get(0).text();
        }
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(data.length, t.intColumn("bytes").get(0));
        assertEquals(Baselines.GZIP.compress(data).length, t.intColumn("size_bytes").get(0));
        assertEquals(Baselines.BZIP2.compress(data).length, t.intColumn("size_bytes").get(1));
        Table cram = t.where(t.stringColumn("method").startsWith("cramlab"));
        assertEquals(cram.intColumn("size_bytes").get(0),
                cram.intColumn("header_bytes").get(0) + cram.intColumn("memory_bytes").get(0)
                        + cram.intColumn("token_bytes").get(0));
        assertTrue(cram.stringColumn("note").get(0).contains("does not pay"), cram.stringColumn("note").get(0));

        // a rerun reads the rows back instead of recomputing them
        List<String> lines = Files.readAllLines(out.resolve("compression.jsonl"));
        Table again = e.compression(out, Progress.onConsole());
        assertEquals(lines, Files.readAllLines(out.resolve("compression.jsonl")));
        assertEquals(t.intColumn("size_bytes").asList(), again.intColumn("size_bytes").asList());
        assertEquals(5, BitsTables.summary(t).rowCount()); // one mean per method

        Table curve = e.precisionCurve(out, Progress.onConsole());
        assertEquals(Precision.curve().size(), curve.rowCount());
        assertTrue(curve.booleanColumn("solved").get(0), "the 4-token text is solved in 400 steps");
        assertTrue(curve.booleanColumn("exact").get(0), "float32 decodes exactly");
        Table fewest = BitsTables.fewestBits(curve);
        assertEquals(1, fewest.rowCount());
        assertTrue(curve.doubleColumn("text_bits").get(0) > 0);
    }
}
