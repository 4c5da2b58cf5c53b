/**
 * Texts for the experiments. {@link org.cramlab.text.BookCorpus} is cramlab's public-domain book
 * corpus (fetched by {@code environment/fetch-corpus}) with a fixed held-out part;
 * {@link org.cramlab.text.TextSets} makes reproducible {@link org.cramlab.text.TextSet}s of
 * {@link org.cramlab.text.TextSample}s from the paper's chunk CSVs (second half of the sentences),
 * random words from a {@link org.cramlab.text.WordList}, held-out book chunks, or a text file.
 */
package org.cramlab.text;
