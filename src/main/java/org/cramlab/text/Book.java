package org.cramlab.text;

import java.util.List;

/**
 * One book of the corpus: its paragraphs in order and where its held-out part starts.
 *
 * @param name file stem, e.g. {@code emma}
 * @param paragraphs the book's paragraphs (one line each in the corpus file)
 * @param heldOutStart index of the first held-out paragraph; paragraphs before it are training text
 */
public record Book(String name, List<String> paragraphs, int heldOutStart) {

    /** Held-out fraction of every book, measured in characters. */
    public static final double HELD_OUT_FRACTION = 0.10;

    /** The held-out rule, in words, for manifests and model cards. */
    public static final String HELD_OUT_RULE = "the last 10% of every book by characters: held out from the first "
            + "paragraph that starts at or after 90% of the book's length (paragraphs joined by one space)";

    public Book {
        paragraphs = List.copyOf(paragraphs);
        if (heldOutStart < 0 || heldOutStart > paragraphs.size()) {
            throw new IllegalArgumentException("heldOutStart " + heldOutStart + " outside 0.." + paragraphs.size());
        }
    }

    /** Splits {@code paragraphs} by {@link #HELD_OUT_RULE}. */
    public static Book of(String name, List<String> paragraphs) {
        long total = paragraphs.stream().mapToLong(p -> p.length() + 1).sum();
        long offset = 0;
        int start = paragraphs.size();
        for (int i = 0; i < paragraphs.size(); i++) {
            if (offset >= (1 - HELD_OUT_FRACTION) * total) {
                start = i;
                break;
            }
            offset += paragraphs.get(i).length() + 1;
        }
        return new Book(name, paragraphs, start);
    }

    /** Paragraphs used for training (tokenizer and model). */
    public List<String> trainingParagraphs() {
        return paragraphs.subList(0, heldOutStart);
    }

    /** Paragraphs never used for training. */
    public List<String> heldOutParagraphs() {
        return paragraphs.subList(heldOutStart, paragraphs.size());
    }

    /** Training text: paragraphs joined by one space (the paper's whitespace normalisation). */
    public String trainingText() {
        return String.join(" ", trainingParagraphs());
    }

    /** Held-out text: paragraphs joined by one space. */
    public String heldOutText() {
        return String.join(" ", heldOutParagraphs());
    }
}
