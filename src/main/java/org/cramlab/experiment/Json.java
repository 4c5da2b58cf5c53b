package org.cramlab.experiment;

import com.google.gson.Gson;
import org.cramlab.cram.RunRecord;

/** The one Gson configuration for plans and records: snake_case names, as {@code RunRecord} documents. */
public final class Json {
    private Json() {}

    /** Compact, one object per line (JSON lines, run ids). */
    public static final Gson COMPACT = RunRecord.GSON;

    /** Indented, for files people read (plan.json, params.json). */
    public static final Gson PRETTY = COMPACT.newBuilder().setPrettyPrinting().create();
}
