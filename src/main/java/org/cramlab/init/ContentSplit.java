package org.cramlab.init;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.cramlab.core.Hashing;

/**
 * Train/held-out split by content hash: an item is held out when the SHA-256 of its content, read as a number
 * in [0, 1), is below the held-out fraction. Equal contents always land on the same side, and duplicates are
 * dropped, so no held-out text is ever a training text, whatever order or source the items came from.
 *
 * @param train the training items
 * @param heldOut the held-out items
 */
public record ContentSplit<T>(List<T> train, List<T> heldOut) {

    /** Splits {@code items} by the hash of {@code content(item)}; {@code heldOutFraction} in (0, 1). */
    public static <T> ContentSplit<T> of(List<T> items, Function<T, String> content, double heldOutFraction) {
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new InitException("held-out fraction must be in (0, 1), got " + heldOutFraction);
        }
        List<T> train = new ArrayList<>();
        List<T> heldOut = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (T item : items) {
            String c = content.apply(item);
            if (!seen.add(c)) continue;
            (position(c) < heldOutFraction ? heldOut : train).add(item);
        }
        return new ContentSplit<>(List.copyOf(train), List.copyOf(heldOut));
    }

    /** The content's hash as a number in [0, 1) (first 52 bits of its SHA-256). */
    static double position(String content) {
        String hex = Hashing.sha256(content).substring(0, 13);
        return Long.parseLong(hex, 16) / (double) (1L << 52);
    }

    /** Content of a token sequence (what is crammed), independent of its text id or source. */
    public static String tokens(int[] tokenIds) {
        return java.util.Arrays.toString(tokenIds);
    }
}
