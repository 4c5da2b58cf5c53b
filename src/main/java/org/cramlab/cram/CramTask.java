package org.cramlab.cram;

/**
 * One text to cram into K memory vectors.
 *
 * @param textId id of the text within its set (e.g. "book:17"); free-form
 * @param textSource "book", "csv", "random", "file" or "literal"
 * @param text the text the ids came from (for the record; may be null)
 * @param tokenIds the L token ids, including BOS where the tokenizer adds one
 * @param nMem K, number of memory vectors
 * @param initMemory optional start memory, row-major [K, d] (e.g. from {@link Memory#load}); null:
 *     random init from the settings' seed
 */
public record CramTask(
        String textId, String textSource, String text, int[] tokenIds, int nMem, float[] initMemory) {

    /** A task from token ids alone, random init. */
    public static CramTask ofIds(int[] tokenIds, int nMem) {
        return new CramTask("ids", "literal", null, tokenIds, nMem, null);
    }

    /** L, number of text tokens. */
    public int length() {
        return tokenIds.length;
    }

    /** The same task starting from {@code memory} (row-major [K, d]). */
    public CramTask withInit(float[] memory) {
        return new CramTask(textId, textSource, text, tokenIds, nMem, memory);
    }
}
