package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.text.WordList;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.Profile;
import org.cramlab.run.TextResolver;
import org.cramlab.run.TextSpec;
import org.cramlab.run.Texts;
import org.cramlab.run.RandomWordsTest;

/** Random-word texts on a checkpoint without a word list (every Hugging Face one), and a named list. */
class RandomWordsTest {

    static final Path PAPER_VOCAB = Path.of("/work/shared/data/hidden_capacity/vocab_100k.txt");

    /** A model directory as Hugging Face ships one: a tokenizer, no words.txt. */
    static Path hfLikeModelDir(Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("hf-model"));
        Files.copy(DefaultModel.directory().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        return dir;
    }

    @Test
    void aModelWithoutWordListFallsBackToTheDefaultModelsList(@TempDir Path tmp) throws Exception {
        Path model = hfLikeModelDir(tmp);
        Profile p = Profile.fromEnv(Map.of("CRAMLAB_MODELS", model.toString()), null);
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            TextResolver.Resolved r = Texts.forProfile(p).resolve(new TextSpec("random", p.randomVocab(), 0, 1), 12, tok);
            assertEquals(12, r.tokenIds().length);
            Set<String> words = Set.copyOf(WordList.read(DefaultModel.directory().resolve(WordList.FILE)).words());
            String[] drawn = r.text().strip().split(" ");
            for (int i = 0; i < drawn.length - 1; i++) { // the last word may be cut by the truncation
                assertTrue(words.contains(drawn[i]), drawn[i] + " from the default word list");
            }
        }
    }

    @Test
    void cramlabVocabNamesAnotherWordList(@TempDir Path tmp) throws Exception {
        Path list = Files.writeString(tmp.resolve("mine.txt"), "zebra\nquokka\n");
        Profile p = Profile.fromEnv(Map.of("CRAMLAB_VOCAB", list.toString()), DefaultModel.directory());
        assertEquals(list.toString(), p.randomVocab());
        try (TextTokenizer tok = TextTokenizer.load(DefaultModel.directory())) {
            TextResolver.Resolved r = Texts.forProfile(p).resolve(new TextSpec("random", p.randomVocab(), 0, 1), 10, tok);
            assertTrue(r.text().matches("[ ]?((zebra|quokka) ?)*[a-z]*"), r.text());
            Profile missing = Profile.fromEnv(Map.of("CRAMLAB_VOCAB", tmp.resolve("nope.txt").toString()), DefaultModel.directory());
            ExperimentException e = assertThrows(ExperimentException.class, () -> Texts.forProfile(missing)
                    .resolve(new TextSpec("random", missing.randomVocab(), 0, 1), 10, tok));
            assertTrue(e.getMessage().contains(tmp.resolve("nope.txt") + " not found") && e.getMessage().contains("CRAMLAB_VOCAB"),
                    e.getMessage());
        }
    }

    @Test
    void thePapersVocabularyWorks() {
        assumeTrue(Files.isRegularFile(PAPER_VOCAB), "skipped: " + PAPER_VOCAB + " not on this machine");
        Profile p = Profile.fromEnv(Map.of("CRAMLAB_VOCAB", PAPER_VOCAB.toString()), DefaultModel.directory());
        try (TextTokenizer tok = TextTokenizer.load(DefaultModel.directory())) {
            assertEquals(16, Texts.forProfile(p).resolve(new TextSpec("random", p.randomVocab(), 3, 1), 16, tok)
                    .tokenIds().length);
        }
    }
}
