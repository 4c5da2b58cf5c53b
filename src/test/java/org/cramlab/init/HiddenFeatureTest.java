package org.cramlab.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The frozen model's hidden states as a text feature, on the tiny golden Llama (test resources). */
class HiddenFeatureTest {

    static Path llama() throws Exception {
        return Paths.get(HiddenFeatureTest.class.getResource("/golden/llama/config.json").toURI()).getParent();
    }

    @ParameterizedTest
    @EnumSource(value = TextFeature.Kind.class, names = {"HIDDEN", "HIDDEN_LAST"})
    void anEncoderFitOnOneTextWithTheHiddenFeatureReproducesItsMemoryThroughItsFile(TextFeature.Kind kind, @TempDir Path dir)
            throws Exception {
        int[] text = {1, 5, 9, 2, 7};
        try (CausalLM model = Models.load(llama())) {
            int d = model.info().hiddenSize();
            float[] feature = TextFeature.of(kind, model, text);
            assertEquals(d, feature.length, "one hidden state wide");
            assertFalse(Arrays.equals(feature, TextFeature.meanEmbedding(model, text)), "not the input embeddings");
            assertFalse(Arrays.equals(feature, TextFeature.of(kind, model, new int[] {1, 5, 9, 2, 8})), "reads the text");
            float[] memory = LearnedInitTest.gaussian(new Random(2), d);
            LearnedInit enc = LearnedInit.fit(LearnedInit.Kind.ENCODER, kind, LearnedInitTest.SHA, "tiny", 1, List.of(feature),
                    List.of(memory), LearnedInit.DEFAULT_LAMBDA);
            Path f = dir.resolve("enc.safetensors");
            enc.save(f);
            LearnedInit back = LearnedInit.read(f);
            assertEquals(kind, back.feature(), "the feature is recorded in the file");
            assertEquals("encoder (" + kind.label() + ") fitted on 1 texts", back.label());
            assertArrayEquals(memory, back.startFor(model, text), 1e-5f);
        }
    }

    @Test
    void theLastPositionAndThePoolDifferExceptForOneToken() throws Exception {
        try (CausalLM model = Models.load(llama())) {
            int[] text = {3, 4, 6};
            float[] pooled = TextFeature.hidden(model, text, false);
            float[] last = TextFeature.hidden(model, text, true);
            assertFalse(Arrays.equals(pooled, last));
            assertArrayEquals(pooled, TextFeature.of(TextFeature.Kind.HIDDEN, model, text), 0f);
            assertArrayEquals(last, TextFeature.of(TextFeature.Kind.HIDDEN_LAST, model, text), 0f);
            int[] one = {3};
            assertArrayEquals(TextFeature.hidden(model, one, false), TextFeature.hidden(model, one, true), 1e-6f);
        }
    }
}
