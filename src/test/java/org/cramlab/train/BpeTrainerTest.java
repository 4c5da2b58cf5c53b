package org.cramlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.text.TestCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

    @TempDir
    Path tmp;

    @Test
    void mergesFollowPairCountsWithDeterministicTies() {
        // byte-level symbols: "Ġ" is the space. Pre-tokens "aab" x3, "Ġab" x2, "cd" x5 give pair counts
        // (a,b)=5, (c,d)=5, (a,a)=3, (Ġ,a)=2: the tie goes to the smaller ids (a < c); after merging
        // "ab", (a,ab)=3 and (Ġ,ab)=2 follow.
        BpeVocabulary v = BpeTrainer.builder().optVocabSize(2 + 256 + 4).optMinPairCount(1).build()
                .trainOnWordCounts(Map.of("aab", 3L, "Ġab", 2L, "cd", 5L));
        assertEquals(List.of("a b", "c d", "a ab", "Ġ ab"), v.merges().stream().map(m -> m[0] + " " + m[1]).toList());
        assertEquals(List.of("ab", "cd", "aab", "Ġab"), v.tokens().subList(258, 262));
        assertEquals("<s>", v.tokens().get(0));
    }

    @Test
    void trainingIsDeterministic() {
        List<String> texts = List.of(String.join(" ", TestCorpus.SENTENCES));
        BpeVocabulary a = BpeTrainer.builder().optVocabSize(350).build().train(texts);
        BpeVocabulary b = BpeTrainer.builder().optVocabSize(350).build().train(texts);
        assertEquals(a.tokens(), b.tokens());
        assertEquals(a.merges().size(), b.merges().size());
        for (int i = 0; i < a.merges().size(); i++) {
            assertArrayEquals(a.merges().get(i), b.merges().get(i));
        }
    }

    @Test
    void huggingFaceFilesLoadInDjlAndRoundTrip() throws Exception {
        List<String> texts = List.of(String.join(" ", TestCorpus.SENTENCES));
        BpeVocabulary v = BpeTrainer.builder().optVocabSize(400).build().train(texts);
        v.writeHuggingFace(tmp, 1024);
        assertTrue(Files.readString(tmp.resolve("tokenizer_config.json")).contains("\"add_bos_token\": true"));
        try (TextTokenizer tok = TextTokenizer.load(tmp)) {
            assertEquals(v.size(), tok.vocabSize());
            assertEquals(0, tok.bosId());
            assertEquals(1, tok.eosId());
            assertTrue(tok.addsBos());
            for (String s : List.of(TestCorpus.SENTENCES.get(2), "Café — naïve “quotes” ünïcödé 東京 \uD83D\uDE00",
                    "  two  spaces,\nnew line\tand tab  ", "")) {
                int[] ids = tok.encode(s);
                assertEquals(0, ids[0]);
                assertEquals(s, tok.decode(ids, true), "round trip of " + s);
            }
            // trained merges are used: a frequent word is one token
            int[] ids = tok.encode(" Bennet", false);
            assertEquals(1, ids.length, "\" Bennet\" should be a single token");
            assertEquals("ĠBennet", v.tokens().get(ids[0]));
        }
    }
}
