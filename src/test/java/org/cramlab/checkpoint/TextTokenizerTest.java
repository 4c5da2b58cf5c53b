package org.cramlab.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our tokenizer against transformers' PreTrainedTokenizerFast on golden/tokenizers/expected.json. */
class TextTokenizerTest {

    @TempDir Path tmp;

    private static Path dir(String variant) throws URISyntaxException {
        return Paths.get(TextTokenizerTest.class.getResource("/golden/tokenizers/" + variant + "/tokenizer.json").toURI())
                .getParent();
    }

    private static JsonObject expected(String variant) throws URISyntaxException, IOException {
        Path f = dir(variant).getParent().resolve("expected.json");
        return JsonParser.parseString(Files.readString(f)).getAsJsonObject()
                .getAsJsonObject("variants").getAsJsonObject(variant);
    }

    private static int[] ints(JsonElement a) {
        return a.getAsJsonArray().asList().stream().mapToInt(JsonElement::getAsInt).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_style", "pythia_style"})
    void matchesTransformers(String variant) throws Exception {
        JsonObject exp = expected(variant);
        try (TextTokenizer tok = TextTokenizer.load(dir(variant))) {
            assertEquals(exp.get("add_bos_token").getAsBoolean(), tok.addsBos());
            assertEquals(exp.get("bos_id").getAsInt(), tok.bosId());
            assertEquals(exp.get("eos_id").getAsInt(), tok.eosId());
            assertEquals(exp.get("vocab_size").getAsInt(), tok.vocabSize());
            for (JsonElement s : exp.getAsJsonArray("samples")) {
                JsonObject o = s.getAsJsonObject();
                String text = o.get("text").getAsString();
                int[] with = ints(o.get("ids_with_special"));
                assertArrayEquals(with, tok.encode(text), text);
                assertArrayEquals(ints(o.get("ids_without_special")), tok.encode(text, false), text);
                assertEquals(o.get("decoded").getAsString(), tok.decode(with, true), text);
                assertEquals(o.get("decoded_with_special").getAsString(), tok.decode(with, false), text);
                // truncation keeps BOS and cuts the text
                int[] cut = tok.encode(text, true, 5);
                assertEquals(5, cut.length);
                assertArrayEquals(java.util.Arrays.copyOf(with, 5), cut);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_style", "pythia_style"})
    void withoutTokenizerConfigTheBosPolicyComesFromThePostProcessor(String variant) throws Exception {
        Files.copy(dir(variant).resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
        JsonObject exp = expected(variant);
        try (TextTokenizer tok = TextTokenizer.load(tmp)) {
            assertEquals(exp.get("add_bos_token").getAsBoolean(), tok.addsBos());
            JsonObject first = exp.getAsJsonArray("samples").get(0).getAsJsonObject();
            assertArrayEquals(ints(first.get("ids_with_special")), tok.encode(first.get("text").getAsString()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_style"})
    void tokenizerConfigOverridesThePostProcessor(String variant) throws Exception {
        Files.copy(dir(variant).resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"add_bos_token\": false, \"bos_token\": \"<s>\"}");
        try (TextTokenizer tok = TextTokenizer.load(tmp)) {
            assertFalse(tok.addsBos());
            assertEquals(0, tok.bosId());
            int[] ids = tok.encode("The miller");
            assertTrue(ids.length > 0 && ids[0] != 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_style", "pythia_style"})
    void noImplicitTruncationOrPadding(String variant) throws Exception {
        try (TextTokenizer tok = TextTokenizer.load(dir(variant))) {
            int once = tok.encode("The miller counted the grain. ", false).length;
            String text = "The miller counted the grain. ".repeat(400); // beyond model_max_length 2048 and DJL's 512
            assertTrue(tok.encode(text, false).length >= 399 * once, "long text was truncated");
            assertEquals(100, tok.encode(text, true, 100).length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing"})
    void missingTokenizerIsNamed(String ignored) {
        String msg = assertThrows(CheckpointException.class, () -> TextTokenizer.load(tmp)).getMessage();
        assertTrue(msg.contains("tokenizer.json"), msg);
    }
}
