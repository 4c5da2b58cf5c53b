package org.cramlab.core;

import java.nio.file.Path;

/** cramlab's per-user data directory: {@code $CRAMLAB_HOME}, else {@code ~/.cache/cramlab}. */
public final class CramlabHome {

    private CramlabHome() {}

    /** The directory (not created here). System property {@code cramlab.home} overrides the env var. */
    public static Path dir() {
        String prop = System.getProperty("cramlab.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("CRAMLAB_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "cramlab");
    }

    /** Where {@code environment/fetch-corpus} puts the book corpus. */
    public static Path corpusDir() {
        return dir().resolve("corpus");
    }
}
