package org.cramlab.run;

import org.cramlab.text.TextException;
import org.cramlab.text.TextSource;

/**
 * Which text a run compresses, described so that any machine can rebuild it (the text itself and its
 * token ids are stored in the run record).
 *
 * @param source where the text comes from (plan files carry its id: book, csv, random, file, literal)
 * @param path the chunk file, vocabulary file or text file; null for the built-in default
 * @param index which chunk or sample of the source (0-based)
 * @param seed seed of the source's sampling (random words; chunk choice)
 * @param name the text's own name, e.g. the {@code id} field of a {@code .jsonl} texts file, which records then
 *     carry as its id; null (left out of plan files and run ids, so those of unnamed texts stay as they were): none
 */
public record TextSpec(TextSource source, String path, int index, long seed, String name) {

    /** An unnamed text (records call it {@code source:index}). */
    public TextSpec(TextSource source, String path, int index, long seed) {
        this(source, path, index, seed, null);
    }

    public TextSpec {
        if (source == null) {
            throw new ExperimentException("text source must be one of " + TextSource.ids() + "; got none");
        }
        if (index < 0) {
            throw new ExperimentException("text index must be >= 0, got " + index + " for source " + source);
        }
    }

    /** A spec whose source is given by its id ({@code book}, {@code random}, ...), as in plan files. */
    public TextSpec(String source, String path, int index, long seed) {
        this(parse(source), path, index, seed, null);
    }

    private static TextSource parse(String source) {
        try {
            return TextSource.of(source);
        } catch (TextException e) {
            throw new ExperimentException(e.getMessage(), e);
        }
    }

    /** The id records carry: the text's name, else e.g. {@code book:3}, {@code random:17}. */
    public String id() {
        return name != null ? name : source + ":" + index;
    }

    /** This text named {@code name} (null: unnamed). */
    public TextSpec named(String name) {
        return new TextSpec(source, path, index, seed, name);
    }

    /** True for random word sequences (the paper's black dots). */
    public boolean isRandom() {
        return source == TextSource.RANDOM;
    }
}
