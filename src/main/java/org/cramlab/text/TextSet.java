package org.cramlab.text;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A reproducible list of texts: the samples plus a description (source, file checksum, seed, L,
 * tokenizer checksum) that runs record in their metadata. Made by {@link TextSets}; the same
 * arguments give the same samples.
 *
 * @param samples the texts
 * @param description how to make them again
 */
public record TextSet(List<TextSample> samples, Map<String, String> description) implements Iterable<TextSample> {

    public TextSet {
        samples = List.copyOf(samples);
        description = Map.copyOf(description);
    }

    public int size() {
        return samples.size();
    }

    public TextSample get(int i) {
        return samples.get(i);
    }

    @Override
    public Iterator<TextSample> iterator() {
        return samples.iterator();
    }
}
