package org.cramlab.cli;

import static org.cramlab.cli.CramCommandTest.llama;
import static org.cramlab.cli.CramCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cram --subspace} and {@code --layers} on the golden Llama (d = 64, 2 layers): recorded, bad values named. */
class CramEffectsCommandTest {

    @Test
    void subspaceAndLayersAreRecorded() {
        Outcome o = run("cram", "--model", llama(), "--ids", "1,77,150,23,9", "--steps", "3", "--json", "--subspace", "8:embeddings",
                "--layers", "1");
        assertEquals(0, o.code(), o.err());
        RunRecord r = RunRecord.fromJson(o.out().strip());
        assertEquals("8:embeddings", r.settings().optimiser().get("subspace"));
        assertEquals(1.0, ((Number) r.settings().optimiser().get("layers")).doubleValue());

        Outcome plain = run("cram", "--model", llama(), "--ids", "1,77,150,23,9", "--steps", "3", "--json", "--layers", "2");
        assertEquals(0, plain.code(), plain.err());
        RunRecord p = RunRecord.fromJson(plain.out().strip());
        assertEquals(null, p.settings().optimiser().get("layers"), "all layers is the whole model: nothing to record");
        assertEquals(null, p.settings().optimiser().get("subspace"));
    }

    @Test
    void progressiveStagesDefaultToThePeersThousandSteps() {
        Outcome o = run("cram", "--model", llama(), "--ids", "1,77,150", "--progressive", "--json", "--lr", "0.1");
        assertEquals(0, o.code(), o.err());
        ProgressiveRecord r = ProgressiveRecord.fromJson(o.out().strip());
        assertEquals(1000.0, ((Number) r.settings().get("max_steps")).doubleValue(), r.settings().toString());
        Outcome given = run("cram", "--model", llama(), "--ids", "1,77,150", "--progressive", "--json", "--steps", "7");
        assertEquals(0, given.code(), given.err());
        assertEquals(7.0, ((Number) ProgressiveRecord.fromJson(given.out().strip()).settings().get("max_steps")).doubleValue());
    }

    @Test
    void badValuesAreOneLineErrors() {
        String[][] cases = {
            {"--subspace", "0", "rank k must be >= 1, got 0"},
            {"--subspace", "65:random", "must be in 1..64"},
            {"--subspace", "4:wobbly", "random, embeddings, pca or identity, got 'wobbly'"},
            {"--layers", "0", "--layers must be in 1..2"},
            {"--layers", "3", "got 3"},
        };
        for (String[] c : cases) {
            Outcome o = run("cram", "--model", llama(), "--ids", "1,2,3", "--steps", "1", c[0], c[1]);
            assertEquals(2, o.code(), c[0] + " " + c[1] + ": " + o.err());
            assertTrue(o.err().startsWith("cram: ") && o.err().contains(c[2]), o.err());
            assertEquals(1, o.err().strip().lines().count(), o.err());
        }
    }

    @Test
    void scoreFirstTokenIsRecordedOnANoBosTokenizer() {
        // golden mamba's tokenizer (GPT-NeoX style) adds no BOS: the first token is text the memory never encoded
        String[] base = {"cram", "--model", CramCommandTest.golden("mamba"), "--text", "The miller counted the grain.", "--steps", "2",
            "--json"};
        Outcome on = run(concat(base, "--score-first-token"));
        assertEquals(0, on.code(), on.err());
        RunRecord r = RunRecord.fromJson(on.out().strip());
        assertEquals(Boolean.TRUE, r.settings().optimiser().get("score_first_token"));
        Outcome off = run(base);
        assertEquals(0, off.code(), off.err());
        RunRecord p = RunRecord.fromJson(off.out().strip());
        assertEquals(null, p.settings().optimiser().get("score_first_token"));
        assertTrue(!p.runId().equals(r.runId()), "another indexing is another run");
    }

    @Test
    void scoreFirstTokenIsRefusedWhenTheTokenizerAddsBos(@TempDir Path dir) throws IOException {
        Path llama = Paths.get(llama());
        for (String f : new String[] {"config.json", "model.safetensors"}) Files.copy(llama.resolve(f), dir.resolve(f));
        Path tok = Paths.get(CramCommandTest.golden("tokenizers")).resolve("llama_style"); // add_bos_token: true
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) Files.copy(tok.resolve(f), dir.resolve(f));
        Outcome o = run("cram", "--model", dir.toString(), "--ids", "1,2,3", "--steps", "1", "--score-first-token");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().startsWith("cram: --score-first-token does not apply") && o.err().contains("adds BOS"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
