package org.cramlab.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.cramlab.checkpoint.ModelDirectory;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.experiment.BitsExperiment;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.TextSample;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Texts sampled from stories260K (skipped without ../shared/models/stories260K) and their content split. */
public class ModelSamplesTest {

    public static Path stories() {
        var found = BitsExperiment.sharedModel("stories260K");
        Assumptions.assumeTrue(found.isPresent(), "skipped: no shared/models/stories260K above the working directory");
        return found.get();
    }

    @Test
    void sampledWindowsAreDistinctSeededAndNeverBothTrainingAndHeldOut() {
        Path dir = stories();
        List<TextSample> a;
        List<TextSample> again;
        List<TextSample> other;
        try (CausalLM model = Models.load(dir); TextTokenizer tok = new ModelDirectory(dir).tokenizer()) {
            a = ModelSamples.windows(model, tok, 10, 40, 0);
            again = ModelSamples.windows(model, tok, 10, 40, 0);
            other = ModelSamples.windows(model, tok, 10, 40, 1);
            for (TextSample t : a) {
                assertEquals(10, t.tokenIds().length, t.id());
                assertArrayEquals(tok.encode(t.text(), true, 10), t.tokenIds(), "tokenised like story windows: " + t.id());
            }
        }
        Set<String> contents = a.stream().map(t -> ContentSplit.tokens(t.tokenIds())).collect(Collectors.toSet());
        assertEquals(40, contents.size(), "40 distinct windows");
        assertEquals(contents, again.stream().map(t -> ContentSplit.tokens(t.tokenIds())).collect(Collectors.toSet()),
                "same seed, same texts");
        assertNotEquals(contents, other.stream().map(t -> ContentSplit.tokens(t.tokenIds())).collect(Collectors.toSet()),
                "another seed, other texts");
        // the split of sampled texts pooled with copies of themselves, shuffled: no held-out text is a training text
        List<TextSample> pooled = new ArrayList<>(a);
        pooled.addAll(again);
        pooled.addAll(other);
        Collections.shuffle(pooled, new java.util.Random(3));
        ContentSplit<TextSample> split = ContentSplit.of(pooled, t -> ContentSplit.tokens(t.tokenIds()), 0.3);
        Set<String> train = new HashSet<>();
        split.train().forEach(t -> train.add(ContentSplit.tokens(t.tokenIds())));
        assertFalse(split.heldOut().isEmpty(), "some sampled texts are held out");
        for (TextSample t : split.heldOut()) assertFalse(train.contains(ContentSplit.tokens(t.tokenIds())), t.id());
    }

    @Test
    void drawFollowsTheSoftmaxAndNeverDrawsBos() {
        double[] logits = {5, Math.log(1), Math.log(3), Double.NEGATIVE_INFINITY};
        SplittableRandom rng = new SplittableRandom(7);
        int[] counts = new int[4];
        for (int i = 0; i < 40_000; i++) counts[ModelSamples.draw(logits, 0, rng)]++;
        assertEquals(0, counts[0], "BOS (id 0) is never drawn, however likely");
        assertEquals(0, counts[3], "a token of probability 0 is never drawn");
        assertEquals(0.25, counts[1] / 40_000.0, 0.01);
        assertTrue(Math.abs(counts[2] / 40_000.0 - 0.75) < 0.01, "temperature 1: p = 3/4, got " + counts[2] / 40_000.0);
    }
}
