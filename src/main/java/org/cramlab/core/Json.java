package org.cramlab.core;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/**
 * The one Gson configuration for everything cramlab writes and reads (run records, plans, params, summaries):
 * snake_case names, non-finite numbers allowed (a diverged run's NaN loss is kept as the bare token
 * {@code NaN}, which Python's json reads), no HTML escaping.
 */
public final class Json {
    private Json() {}

    /** Compact, one object per line (JSON lines, run ids). */
    public static final Gson COMPACT = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues()
            .disableHtmlEscaping()
            .create();

    /** Indented, for files people read (plan.json, params.json, summary.json). */
    public static final Gson PRETTY = COMPACT.newBuilder().setPrettyPrinting().create();
}
