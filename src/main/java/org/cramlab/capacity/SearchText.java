package org.cramlab.capacity;

/**
 * A text of a search.
 *
 * @param id id within its set
 * @param source its source ("book", "stories", ...)
 * @param text the whole text; runs use its first L tokens
 */
public record SearchText(String id, String source, String text) {}

