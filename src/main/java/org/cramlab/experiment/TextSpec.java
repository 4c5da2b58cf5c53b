package org.cramlab.experiment;

/**
 * Which text a run compresses, described so that any machine can rebuild it (the text itself and its
 * token ids are stored in the run record).
 *
 * @param source "book" (held-out chunks of the default corpus), "csv" (a paper-format chunk file),
 *     "random" (random word sequences), "lines" (one text per line of a file), "file" (a plain text file)
 *     or "literal"
 * @param path the chunk file, vocabulary file or text file; null for the built-in default
 * @param index which chunk or sample of the source (0-based)
 * @param seed seed of the source's sampling (random words; chunk choice)
 */
public record TextSpec(String source, String path, int index, long seed) {

    public TextSpec {
        if (source == null || source.isBlank()) {
            throw new ExperimentException("text source must be one of book, csv, random, lines, file, literal; got '" + source + "'");
        }
        if (index < 0) {
            throw new ExperimentException("text index must be >= 0, got " + index + " for source " + source);
        }
    }

    /** The id records carry, e.g. {@code book:3}, {@code random:17}. */
    public String id() {
        return source + ":" + index;
    }

    /** True for random word sequences (the paper's black dots). */
    public boolean isRandom() {
        return source.equals("random");
    }
}
