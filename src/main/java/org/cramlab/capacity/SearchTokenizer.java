package org.cramlab.capacity;

/** How a search turns a text into its first L token ids and back. */
public interface SearchTokenizer {
    /** The first {@code maxLength} ids of {@code text}, special tokens included (HF truncation). */
    int[] encode(String text, int maxLength);

    /** The text of {@code ids}, special tokens dropped. */
    String decode(int[] ids);

    /** A model's tokenizer, adding its special tokens (BOS for Llama) as the paper's runs do. */
    static SearchTokenizer of(org.cramlab.checkpoint.TextTokenizer tokenizer) {
        return new SearchTokenizer() {
            @Override
            public int[] encode(String text, int maxLength) {
                return tokenizer.encode(text, true, maxLength);
            }

            @Override
            public String decode(int[] ids) {
                return tokenizer.decode(ids, true);
            }
        };
    }
}
