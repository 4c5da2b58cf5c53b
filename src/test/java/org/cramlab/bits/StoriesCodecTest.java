package org.cramlab.bits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.cramlab.experiment.BitsExperiment;
import org.cramlab.experiment.BitsStories;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The codec on a real pretrained model (stories260K: Llama architecture, SentencePiece tokenizer with
 * byte fallback), where present at ../shared/models relative to the repository root.
 */
class StoriesCodecTest {

    /** ../shared/models/stories260K from the repository root (or from a folder above it, for git worktrees). */
    static Path stories() {
        var found = BitsExperiment.sharedModel("stories260K");
        Assumptions.assumeTrue(found.isPresent(), "skipped: no shared/models/stories260K above "
                + Path.of("").toAbsolutePath() + " (the stories260K model is not part of the repository)");
        return found.get();
    }

    @Test
    void roundTripsStoriesUnicodeAndSurprisingText() {
        Path dir = stories();
        try (CausalLM model = Models.load(dir)) {
            for (int k : new int[] {0, 1}) {
                try (Codec codec = Codec.builder(model, dir).optMem(k).optSteps(3).build()) {
                    for (String t : List.of("", "a", BitsStories.TEXTS.get(0), BitsStories.TEXTS.get(3),
                            "naïve café — 東京 🙂\r\n\t", "quantum zebra lattice spoon yesterday purple",
                            "  two leading spaces and trailing  ")) {
                        byte[] data = t.getBytes(StandardCharsets.UTF_8);
                        Codec.Compressed c = codec.compress(data);
                        assertArrayEquals(data, codec.decompress(c.bytes(), "story.cram"), "K=" + k + ": " + t);
                    }
                }
            }
            try (Codec codec = Codec.builder(model, dir).optMem(0).build()) {
                // a story the model knows: the model alone beats gzip -9 on it, header included
                byte[] story = BitsStories.TEXTS.get(4).getBytes(StandardCharsets.UTF_8);
                int coded = codec.compress(story).bytes().length;
                int gzip = Baselines.GZIP.compress(story).length;
                assertTrue(coded < gzip, coded + " bytes vs gzip's " + gzip);
            }
        }
    }

    @Test
    void refusesTextItsTokenizerCannotRoundTrip() {
        Path dir = stories();
        try (CausalLM model = Models.load(dir); Codec codec = Codec.builder(model, dir).optMem(0).build()) {
            // SentencePiece turns the literal "<s>" into the BOS token and adds a space after it on decoding
            BitsException e = assertThrows(BitsException.class,
                    () -> codec.compress("<s> hi </s>".getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains("cannot round-trip"), e.getMessage());
        }
    }

    @Test
    void aContainerOfOneModelIsRefusedByTheOther() {
        Path dir = stories();
        Path def = DefaultModel.directory();
        byte[] cram;
        try (CausalLM model = Models.load(dir); Codec codec = Codec.builder(model, dir).optMem(0).build()) {
            cram = codec.compress(BitsStories.TEXTS.get(1).getBytes(StandardCharsets.UTF_8)).bytes();
        }
        try (CausalLM model = Models.load(def); Codec codec = Codec.builder(model, def).optMem(0).build()) {
            BitsException e = assertThrows(BitsException.class, () -> codec.decompress(cram, "story.cram"));
            assertTrue(e.getMessage().contains("stories260K"), e.getMessage());
        }
    }
}
