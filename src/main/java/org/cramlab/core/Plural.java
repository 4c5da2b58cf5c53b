package org.cramlab.core;

import java.util.Locale;

/** Counts in messages: "1 token", "2 tokens", "0 tokens". */
public final class Plural {

    private Plural() {}

    /** {@code n} and {@code noun}, with an "s" unless n is 1 (nouns whose plural is noun + "s"). */
    public static String of(long n, String noun) {
        return String.format(Locale.ROOT, "%d %s%s", n, noun, n == 1 ? "" : "s");
    }
}
