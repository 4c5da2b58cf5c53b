package org.cramlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.TestCorpus;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSets;
import org.cramlab.text.WordList;
import org.junit.jupiter.api.Test;

/** The committed default model: where it is found, that it loads, and that it prefers prose to random words. */
class DefaultModelTest {

    @Test
    void runningFromTheRepositoryUsesTheSourceFolder() throws Exception {
        Path dir = DefaultModel.directory();
        assertTrue(dir.endsWith(Path.of("src/main/resources/cramlab/default-model")), dir.toString());
        long bytes = 0;
        for (String f : DefaultModel.FILES) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), "missing " + f);
            bytes += Files.size(dir.resolve(f));
        }
        assertTrue(bytes <= 25L << 20, "default model is " + bytes + " bytes, the limit is 25 MB");
    }

    @Test
    void loadsAsALlamaWhoseTokenizerRoundTrips() {
        Path dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir)) {
            assertEquals("llama", model.info().modelType());
            assertEquals(1024, model.info().maxPositions());
            assertEquals(tok.vocabSize(), model.info().vocabSize());
            assertTrue(tok.addsBos());
            for (String s : TestCorpus.SENTENCES) {
                assertEquals(s, tok.decode(tok.encode(s), true));
            }
        }
    }

    @Test
    void proseIsMorePredictableThanRandomWords() {
        Path dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir);
                NDManager m = NDManager.newBaseManager()) {
            int[] prose = tok.encode(String.join(" ", TestCorpus.SENTENCES), true, 128);
            TextSample random = TextSets.randomWords(WordList.read(dir.resolve(WordList.FILE)), tok, 128, 1, 3).get(0);
            double proseCe = ce(model, m, prose);
            double randomCe = ce(model, m, random.tokenIds());
            assertTrue(randomCe > proseCe + 1.0, "prose CE " + proseCe + " vs random-word CE " + randomCe);
        }
    }

    private static double ce(CausalLM model, NDManager m, int[] ids) {
        try (NDManager sub = m.newSubManager()) {
            NDArray x = sub.create(Arrays.stream(ids).asLongStream().toArray(), new Shape(1, ids.length));
            return LmLoss.mean(model.forward(model.embed(x), null), x).getFloat();
        }
    }
}
