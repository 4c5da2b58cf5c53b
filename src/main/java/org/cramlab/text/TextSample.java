package org.cramlab.text;

/**
 * One text to compress: what it is, its text, and its token ids (model special tokens included,
 * truncated to the set's length L).
 *
 * @param id stable id within its set, e.g. {@code pg19_valid_1k_chunks:3}, {@code random:7:12}, {@code emma:812345}
 * @param source where the text comes from
 * @param text the text (before truncation to L tokens)
 * @param tokenIds token ids as the model sees them (BOS first for Llama), at most L of them
 */
public record TextSample(String id, TextSource source, String text, int[] tokenIds) {

    /** Number of tokens (special tokens included). */
    public int length() {
        return tokenIds.length;
    }
}
