package org.cramlab.cli;

import static org.cramlab.cli.CramCommandTest.llama;
import static org.cramlab.cli.CramCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunRecord;
import org.junit.jupiter.api.Test;

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
}
