package org.cramlab.experiment;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Hashing;
import org.cramlab.init.ContentSplit;
import org.cramlab.text.TextSample;

/**
 * The texts of {@link InitBudget}: L-token windows of cramlab's short stories, one per sentence start
 * ({@link Initialisations#windows}). Starts, not windows, are split by content hash (the text from the start
 * on), so a held-out text is the same start at every length and the per-text longest solved length is
 * defined; the starts chosen are those long enough for the longest grid length, first in hash order. A
 * training window whose tokens equal a held-out window's at that length (two stories opening alike) is
 * dropped, so no held-out window is ever a training window.
 */
final class InitBudgetTexts {

    private final TextTokenizer tokenizer;
    private final Set<String> trainIds;
    private final Set<String> heldOutIds;

    private InitBudgetTexts(TextTokenizer tokenizer, Set<String> trainIds, Set<String> heldOutIds) {
        this.tokenizer = tokenizer;
        this.trainIds = trainIds;
        this.heldOutIds = heldOutIds;
    }

    /** Up to {@code nTrain} training and {@code nHeldOut} held-out starts with windows at every length of {@code grid}. */
    static InitBudgetTexts of(TextTokenizer tok, List<Integer> grid, int nTrain, int nHeldOut) {
        int longest = grid.stream().mapToInt(Integer::intValue).max().orElseThrow();
        ContentSplit<TextSample> split = ContentSplit.of(Initialisations.windows(tok, longest), TextSample::text,
                Initialisations.HELD_OUT);
        return new InitBudgetTexts(tok, firstByHash(split.train(), nTrain), firstByHash(split.heldOut(), nHeldOut));
    }

    private static Set<String> firstByHash(List<TextSample> texts, int n) {
        return Set.copyOf(texts.stream().sorted(Comparator.comparing(t -> Hashing.sha256(t.id()))).limit(n)
                .map(TextSample::id).toList());
    }

    /** The held-out windows at {@code length}, in story order. */
    List<TextSample> heldOut(int length) {
        return Initialisations.windows(tokenizer, length).stream().filter(t -> heldOutIds.contains(t.id())).toList();
    }

    /** The training windows at {@code length} (none equal to a held-out window), in story order. */
    List<TextSample> train(int length) {
        Set<String> held = new HashSet<>();
        heldOut(length).forEach(t -> held.add(ContentSplit.tokens(t.tokenIds())));
        return Initialisations.windows(tokenizer, length).stream()
                .filter(t -> trainIds.contains(t.id()) && !held.contains(ContentSplit.tokens(t.tokenIds()))).toList();
    }
}
