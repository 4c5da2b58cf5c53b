package org.cramlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Progress;
import org.cramlab.cram.RunRecord;
import org.cramlab.init.ContentSplit;
import org.cramlab.run.RecordStore;
import org.cramlab.text.TextSample;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitBudgetTest {

    static InitBudget tiny() {
        return new InitBudget(List.of(DefaultModel.directory().toString()), List.of(2, 3), List.of(4), 6, 2, 100, 16, 0,
                1e-2);
    }

    @Test
    void resumesFromTheRunFolderAndRecomputesOnlyWhatIsMissing(@TempDir Path out) throws IOException {
        InitBudget exp = tiny();
        InitBudget.Result first = exp.run(out, Progress.silent());
        RecordStore store = RecordStore.read(out);
        assertEquals(store.size(), first.computed(), "every run was computed once and appended");
        // 2 held-out texts per length; 4 inits where a training text was solved (there is one at L = 2), else random only
        int fitted = (int) first.costs().stream().filter(c -> c.solved() > 0).count();
        assertTrue(fitted >= 1, first.costs().toString());
        assertEquals(2 * (fitted * InitBudget.INITS.size() + (2 - fitted)), first.outcomes().size());
        assertTrue(store.all().stream().anyMatch(r -> String.valueOf(r.settings().optimiser().get("init"))
                .startsWith("encoder fitted on ")), "learned starts are recorded as such");
        assertEquals(2, first.costs().size());
        assertTrue(first.costs().stream().allMatch(c -> c.cramSeconds() > 0 && c.cramSteps() > 0));

        InitBudget.Result again = exp.run(out, Progress.silent());
        assertEquals(0, again.computed(), "a finished folder is read back, not recomputed");
        assertEquals(steps(first), steps(again));
        assertEquals(first.costs().get(0).cramSeconds(), again.costs().get(0).cramSeconds(), 1e-9,
                "the training time of the session that crammed them is kept");

        // a crash after some runs: only the records written survive
        Path file;
        try (Stream<Path> s = Files.list(out.resolve("records"))) {
            file = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(file);
        int kept = lines.size() / 2;
        Files.write(file, lines.subList(0, kept));
        InitBudget.Result resumed = exp.run(out, Progress.silent());
        assertEquals(lines.size() - kept, resumed.computed());
        assertEquals(first.outcomes().size(), resumed.outcomes().size());
        assertEquals(lines.size(), RecordStore.read(out).size());
    }

    private static List<Integer> steps(InitBudget.Result r) {
        return r.outcomes().stream().map(BudgetCurves.Outcome::stepsToExact).toList();
    }

    @Test
    void heldOutTextsAreTheSameStartsAtEveryLengthAndNeverTrainingTexts() {
        try (TextTokenizer tok = TextTokenizer.load(DefaultModel.directory())) {
            InitBudgetTexts texts = InitBudgetTexts.of(tok, List.of(2, 4, 8), 40, 24);
            List<String> heldIds = texts.heldOut(8).stream().map(TextSample::id).toList();
            assertEquals(24, heldIds.size());
            for (int length : List.of(2, 4, 8)) {
                assertEquals(heldIds, texts.heldOut(length).stream().map(TextSample::id).toList(), "L = " + length);
                Set<String> held = new HashSet<>();
                texts.heldOut(length).forEach(t -> held.add(ContentSplit.tokens(t.tokenIds())));
                List<TextSample> train = texts.train(length);
                assertFalse(train.isEmpty());
                assertTrue(train.stream().noneMatch(t -> held.contains(ContentSplit.tokens(t.tokenIds()))
                        || heldIds.contains(t.id())), "L = " + length);
                assertTrue(train.stream().allMatch(t -> t.tokenIds().length == length));
            }
            assertTrue(texts.train(2).size() < texts.train(8).size(), "at 2 tokens many starts look alike and are dropped");
        }
    }
}
