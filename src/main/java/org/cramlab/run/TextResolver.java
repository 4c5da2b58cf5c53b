package org.cramlab.run;

import org.cramlab.checkpoint.TextTokenizer;

/** Turns a plan's {@link TextSpec} into the L token ids a run compresses. */
@FunctionalInterface
public interface TextResolver {

    /**
     * The text of {@code spec} tokenised with the model's tokenizer (special tokens included, as the
     * paper counts them) and truncated to {@code length} tokens.
     *
     * @param tokenizer the model directory's tokenizer; null when the directory has none
     * @throws ExperimentException when the source cannot give {@code length} tokens
     */
    Resolved resolve(TextSpec spec, int length, TextTokenizer tokenizer);

    /**
     * A resolved text.
     *
     * @param text the text the ids decode to (stored in the record)
     * @param tokenIds exactly L ids
     */
    record Resolved(String text, int[] tokenIds) {}
}
