package org.cramlab.train;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Training batches from tokenised books: each row is BOS followed by T-1 consecutive tokens from a
 * random place in a random book (books weighted by length), the way the cramming experiments feed
 * text (BOS, then text starting mid-book). Batch {@code step} depends only on (seed, step), so a
 * resumed run sees exactly the batches an uninterrupted run would.
 */
public final class TokenWindows {

    private final List<int[]> books;
    private final long[] cumulative;
    private final int bosId;
    private final long seed;

    /**
     * @param books token ids of each book's training text, without special tokens
     * @param bosId id put in front of every row
     * @param seed batch seed
     */
    public TokenWindows(List<int[]> books, int bosId, long seed) {
        this.books = List.copyOf(books);
        this.bosId = bosId;
        this.seed = seed;
        this.cumulative = new long[books.size()];
        long total = 0;
        for (int i = 0; i < books.size(); i++) {
            total += books.get(i).length;
            cumulative[i] = total;
        }
    }

    /** Total number of training tokens. */
    public long tokens() {
        return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
    }

    /** Batch {@code step}: {@code rows} x {@code length} token ids, row-major. */
    public long[] batch(long step, int rows, int length) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step); // one stream per step
        long[] out = new long[rows * length];
        for (int r = 0; r < rows; r++) {
            int[] book = pickBook(rng, length);
            int start = rng.nextInt(book.length - (length - 1) + 1);
            out[r * length] = bosId;
            for (int j = 1; j < length; j++) {
                out[r * length + j] = book[start + j - 1];
            }
        }
        return out;
    }

    private int[] pickBook(SplittableRandom rng, int length) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            long x = rng.nextLong(tokens());
            int i = 0;
            while (cumulative[i] <= x) {
                i++;
            }
            if (books.get(i).length >= length - 1) {
                return books.get(i);
            }
        }
        throw new IllegalArgumentException("no book has the " + (length - 1) + " tokens a row of length "
                + length + " needs");
    }
}
