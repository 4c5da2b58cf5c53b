package org.cramlab.core;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Library versions recorded with every run and printed by {@code --version}. Nothing is written here by
 * hand: cramlab's own version (and the DJL/PyTorch versions it was built against) come from
 * {@code build.properties}, which Maven fills in from the pom; DJL's and libtorch's from the running engine.
 */
public final class Versions {
    private static final String ENGINE = "PyTorch";

    private Versions() {}

    /** cramlab, DJL, PyTorch native, Java and OS versions, in that order. */
    public static Map<String, String> all() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("cramlab", build().getProperty("cramlab", "dev"));
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", pytorch());
        v.put("java", System.getProperty("java.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return v;
    }

    /**
     * The libtorch version the engine loaded; if the engine cannot start, the version this build was
     * made for, marked as such.
     */
    static String pytorch() {
        try {
            return Engine.getEngine(ENGINE).getVersion();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return build().getProperty("pytorch", "unknown") + " (build; engine not loaded: " + e.getMessage() + ")";
        }
    }

    /** The Maven-filtered build facts; empty (so callers fall back) when run from unfiltered sources. */
    static Properties build() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("build.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // unreadable resource: the callers' fallbacks apply
        }
        p.entrySet().removeIf(e -> String.valueOf(e.getValue()).startsWith("${")); // not filtered
        return p;
    }
}
