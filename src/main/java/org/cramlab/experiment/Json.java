package org.cramlab.experiment;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The one Gson configuration for plans and records: snake_case names, as {@code RunRecord} documents. */
public final class Json {
    private Json() {}

    /** Compact, one object per line (JSON lines, run ids). */
    public static final Gson COMPACT = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues() // a diverged run may carry NaN losses
            .disableHtmlEscaping()
            .create();

    /** Indented, for files people read (plan.json, params.json). */
    public static final Gson PRETTY = COMPACT.newBuilder().setPrettyPrinting().create();
}
