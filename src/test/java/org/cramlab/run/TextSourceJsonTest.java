package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cramlab.core.Json;
import org.cramlab.text.TextException;
import org.cramlab.text.TextSource;
import org.junit.jupiter.api.Test;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.Profile;
import org.cramlab.run.TextSpec;
import org.cramlab.run.TextSourceJsonTest;

/** Typed text sources keep the JSON of plans and parameters (and so every run id) as it was: the plain id string. */
class TextSourceJsonTest {

    @Test
    void specsWriteAndReadTheSourceId() {
        TextSpec spec = new TextSpec(TextSource.RANDOM, "vocab.txt", 3, 7);
        String json = Json.COMPACT.toJson(spec);
        assertEquals("{\"source\":\"random\",\"path\":\"vocab.txt\",\"index\":3,\"seed\":7}", json);
        assertEquals(spec, Json.COMPACT.fromJson(json, TextSpec.class));
        assertEquals("random:3", spec.id());
        assertEquals(new TextSpec("book", null, 3, 7), new TextSpec(TextSource.BOOK, null, 3, 7));
        assertTrue(Json.COMPACT.toJson(Profile.smoke().toParams()).contains("\"natural_source\":\"book\""));
    }

    @Test
    void unknownSourcesAreNamedInTheError() {
        TextException e = assertThrows(TextException.class,
                () -> Json.COMPACT.fromJson("{\"source\":\"poems\",\"index\":0,\"seed\":0}", TextSpec.class));
        assertTrue(e.getMessage().contains("'poems'") && e.getMessage().contains("book, csv, random, lines, file, literal"),
                e.getMessage());
        ExperimentException x = assertThrows(ExperimentException.class, () -> new TextSpec("poems", null, 0, 0));
        assertTrue(x.getMessage().contains("'poems'"), x.getMessage());
        for (TextSource s : TextSource.values()) {
            assertEquals(s, TextSource.of(s.id()));
            assertEquals(s.id(), s.toString());
        }
    }
}
