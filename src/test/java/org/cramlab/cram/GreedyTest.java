package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Scoring of a greedy decode against the text's tokens 1..L-1 (token 0 is given). */
class GreedyTest {

    @Test
    void exactPrefixAndTokenAccuracy() {
        int[] text = {1, 5, 6, 7, 8};
        Greedy exact = Greedy.compare(new int[] {5, 6, 7, 8}, text);
        assertTrue(exact.exactMatch());
        assertEquals(4, exact.prefixLength());
        assertEquals(1.0, exact.tokenAccuracy(), 0);

        Greedy slip = Greedy.compare(new int[] {5, 6, 9, 8}, text);
        assertFalse(slip.exactMatch());
        assertEquals(2, slip.prefixLength());
        assertEquals(0.75, slip.tokenAccuracy(), 0);

        Greedy first = Greedy.compare(new int[] {9, 6, 7, 8}, text);
        assertEquals(0, first.prefixLength());
        assertEquals(0.75, first.tokenAccuracy(), 0);

        Greedy cut = Greedy.compare(new int[] {5, 6}, text); // decoding ran out of positions
        assertFalse(cut.exactMatch());
        assertEquals(2, cut.prefixLength());
        assertEquals(0.5, cut.tokenAccuracy(), 0);
    }
}
