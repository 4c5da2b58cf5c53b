package org.cramlab.core;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Library versions recorded with every run and printed by {@code --version}. Nothing is written here by
 * hand: cramlab's own version and the libtorch version the build bundles come from {@code build.properties},
 * which Maven fills in from the pom; DJL's from DJL. This class never starts the engine (that would fix
 * PyTorch's thread count before cramlab's thread policy applies): a run record replaces {@code pytorch} with
 * the version its model's engine actually loaded.
 */
public final class Versions {
    private Versions() {}

    /** cramlab, DJL, PyTorch (as built), Java and OS versions, in that order. */
    public static Map<String, String> all() {
        Properties build = build();
        Map<String, String> v = new LinkedHashMap<>();
        v.put("cramlab", build.getProperty("cramlab", "dev"));
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", build.getProperty("pytorch", "unknown"));
        v.put("java", System.getProperty("java.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return v;
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
