package org.cramlab.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fourteen short children's stories in the style of TinyStories, written for cramlab (so never in any
 * model's training data): held-out natural texts for TinyStories models such as stories260K, whose
 * domain the book corpus is far from. Each story is 110-130 words (more than 128 tokens of a
 * 512-token vocabulary).
 */
public final class ShortStories {

    private static final String RESOURCE = "short-stories.txt";

    private ShortStories() {}

    /** The stories, in file order. */
    public static List<String> all() {
        try (InputStream in = ShortStories.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new TextException("resource org/cramlab/text/" + RESOURCE + " is missing from the jar");
            }
            List<String> stories = new ArrayList<>();
            for (String p : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R\\s*\\R")) {
                String s = p.lines().filter(l -> !l.startsWith("#")).reduce((a, b) -> a + " " + b).orElse("").strip();
                if (!s.isEmpty()) stories.add(s);
            }
            return stories;
        } catch (IOException e) {
            throw new TextException("cannot read resource " + RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
