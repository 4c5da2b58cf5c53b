package org.cramlab.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The train/held-out split by content hash. */
class ContentSplitTest {

    @Test
    void heldOutTextsNeverAppearInTheTrainingSetEvenWithDuplicatesAndReordering() {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 400; i++) items.add("text " + (i % 300)); // 100 duplicates
        ContentSplit<String> a = ContentSplit.of(items, Function.identity(), 0.3);
        Set<String> train = new HashSet<>(a.train());
        for (String h : a.heldOut()) assertFalse(train.contains(h), h + " is both held out and in training");
        assertEquals(300, a.train().size() + a.heldOut().size(), "duplicates are kept once");
        assertTrue(a.heldOut().size() > 60 && a.heldOut().size() < 120, "about 30% held out: " + a.heldOut().size());

        List<String> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new java.util.Random(5));
        ContentSplit<String> b = ContentSplit.of(shuffled, Function.identity(), 0.3);
        assertEquals(new HashSet<>(a.heldOut()), new HashSet<>(b.heldOut()), "the side depends on content only");
    }

    @Test
    void theSplitFollowsTokenContentNotIds() {
        record T(String id, int[] tokens) {}
        List<T> items = List.of(new T("a", new int[] {1, 2, 3}), new T("b", new int[] {1, 2, 3}), new T("c", new int[] {4}));
        ContentSplit<T> s = ContentSplit.of(items, t -> ContentSplit.tokens(t.tokens()), 0.5);
        assertEquals(2, s.train().size() + s.heldOut().size(), "the same tokens under another id are one text");
    }
}
