package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParseException;
import java.util.List;
import org.cramlab.core.Json;
import org.junit.jupiter.api.Test;

class OptimiserSettingsTest {

    @Test
    void paperValuesAndTheRecordMap() {
        OptimiserSettings p = OptimiserSettings.paper();
        assertEquals(List.of(0.01, 0.9, 0.9, 0.01, 1e-8), List.of(p.lr(), p.beta1(), p.beta2(), p.weightDecay(), p.eps()));
        assertEquals(5000, p.maxSteps());
        assertEquals(2000, p.patience());
        // the record's settings map: plan JSON names, in order, integers kept integers (run ids hash its text)
        assertEquals("{lr=0.01, beta1=0.9, beta2=0.9, weight_decay=0.01, eps=1.0E-8, max_steps=5000, patience=2000}",
                p.toMap().toString());
        assertEquals("{\"lr\":0.01,\"beta1\":0.9,\"beta2\":0.9,\"weight_decay\":0.01,\"eps\":1.0E-8,\"max_steps\":5000,"
                + "\"patience\":2000}", Json.COMPACT.toJson(p));
    }

    @Test
    void jsonReadsOverThePapersValuesAndRejectsUnknownKeys() {
        OptimiserSettings full = OptimiserSettings.paper().withLr(0.05).withSteps(10, 5);
        assertEquals(full, Json.COMPACT.fromJson(Json.COMPACT.toJson(full), OptimiserSettings.class));
        assertEquals(full, Json.COMPACT.fromJson("{\"lr\":0.05,\"max_steps\":10,\"patience\":5}", OptimiserSettings.class));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> Json.COMPACT.fromJson("{\"learning_rate\":0.05}", OptimiserSettings.class));
        assertTrue(e instanceof CramException || e.getCause() instanceof CramException, e.toString());
        assertTrue(e.getMessage().contains("unknown key 'learning_rate'"), e.getMessage());
        assertThrows(RuntimeException.class, () -> Json.COMPACT.fromJson("{\"lr\":\"fast\"}", OptimiserSettings.class));
        assertThrows(JsonParseException.class, () -> Json.COMPACT.fromJson("{\"lr\":", OptimiserSettings.class));
    }
}
