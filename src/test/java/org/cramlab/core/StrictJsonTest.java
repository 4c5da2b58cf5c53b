package org.cramlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.internal.bind.TypeAdapters;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Everything cramlab writes is strict JSON: non-finite numbers as null plus a "non_finite" list; old files still read. */
public class StrictJsonTest {

    record Sample(double bestLoss, List<Double> losses, Map<String, Double> nested, String name) {}

    /** Parses as RFC 8259 JSON only (what jq, JavaScript and Go accept): bare NaN/Infinity fail here. */
    public static JsonElement strictParse(String s) throws IOException {
        JsonReader r = new JsonReader(new StringReader(s));
        r.setStrictness(Strictness.STRICT);
        JsonElement e = TypeAdapters.JSON_ELEMENT.read(r);
        assertEquals(JsonToken.END_DOCUMENT, r.peek());
        return e;
    }

    static Sample diverged() {
        Map<String, Double> nested = new LinkedHashMap<>();
        nested.put("a/b~c", Double.NaN);
        nested.put("ok", 1.5);
        return new Sample(Double.NaN, List.of(2.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY), nested, "x");
    }

    @Test
    void nonFiniteNumbersAreNullAndFlaggedByJsonPointer() throws IOException {
        assertThrows(IOException.class, () -> strictParse(Json.COMPACT.toJson(diverged())), "the old output is not strict JSON");
        for (String text : new String[] {Json.write(diverged()), Json.writePretty(diverged())}) {
            JsonObject o = strictParse(text).getAsJsonObject();
            assertTrue(o.get("best_loss").isJsonNull(), text);
            assertTrue(o.getAsJsonArray("losses").get(1).isJsonNull(), text);
            assertEquals(2.5, o.getAsJsonArray("losses").get(0).getAsDouble());
            JsonObject flags = o.getAsJsonObject(Json.NON_FINITE);
            assertEquals(Map.of("/best_loss", "NaN", "/losses/1", "Infinity", "/losses/2", "-Infinity", "/nested/a~1b~0c", "NaN"),
                    flags.asMap().entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                            e -> e.getValue().getAsString())));
        }
    }

    @Test
    void readingRestoresTheValuesAndOldFilesWithBareTokensStillRead() {
        Sample back = Json.read(Json.write(diverged()), Sample.class);
        assertTrue(Double.isNaN(back.bestLoss()));
        assertEquals(List.of(2.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY), back.losses());
        assertTrue(Double.isNaN(back.nested().get("a/b~c")));
        assertEquals(1.5, back.nested().get("ok"));
        Sample old = Json.read("{\"best_loss\":NaN,\"losses\":[1.0,Infinity,-Infinity],\"name\":\"old\"}", Sample.class);
        assertTrue(Double.isNaN(old.bestLoss()));
        assertEquals(List.of(1.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY), old.losses());
    }

    @Test
    void finiteValuesAreWrittenExactlyAsBefore() throws IOException {
        Sample fine = new Sample(0.25, List.of(1.0, 0.5), Map.of("k", 2.0), null);
        assertEquals(Json.COMPACT.toJson(fine), Json.write(fine));
        assertFalse(Json.write(fine).contains(Json.NON_FINITE));
        strictParse(Json.write(fine));
    }

    @Test
    void aBadFlagListIsAClearError() {
        var e = assertThrows(com.google.gson.JsonParseException.class,
                () -> Json.read("{\"best_loss\":null,\"non_finite\":{\"/best_loss\":\"huge\"}}", Sample.class));
        assertTrue(e.getMessage().contains("/best_loss") && e.getMessage().contains("huge"), e.getMessage());
    }
}
