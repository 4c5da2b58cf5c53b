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
 *     random init ({@link Memory#random}) from {@code seed}
 * @param seed seed of this run's random init; null: the settings' seed
 * @param runId the caller's key for this run (e.g. a plan's run id): the engine does not interpret it, it
 *     records it as the run id and hands the task back in every callback; null: the engine derives an id
 *     from the run's content
 */
public record CramTask(
        String textId, String textSource, String text, int[] tokenIds, int nMem, float[] initMemory, Long seed,
        String runId) {

    /** A task seeded by the settings' seed (or started from {@code initMemory}), its id derived by the engine. */
    public CramTask(String textId, String textSource, String text, int[] tokenIds, int nMem, float[] initMemory) {
        this(textId, textSource, text, tokenIds, nMem, initMemory, null, null);
    }

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
        return new CramTask(textId, textSource, text, tokenIds, nMem, memory, seed, runId);
    }

    /** The same task with its own init seed. */
    public CramTask withSeed(long seed) {
        return new CramTask(textId, textSource, text, tokenIds, nMem, initMemory, seed, runId);
    }

    /** The same task under the caller's run id. */
    public CramTask withRunId(String runId) {
        return new CramTask(textId, textSource, text, tokenIds, nMem, initMemory, seed, runId);
    }

    /** The init seed in effect under {@code settings}. */
    public long seedOr(CramSettings settings) {
        return seed != null ? seed : settings.seed();
    }
}
