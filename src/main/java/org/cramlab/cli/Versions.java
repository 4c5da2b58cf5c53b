package org.cramlab.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.IVersionProvider;

/** Library versions recorded with every run and printed by {@code --version}. */
public final class Versions {
    private Versions() {}

    /** cramlab, DJL, PyTorch native and Java versions. */
    public static Map<String, String> all() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("cramlab", orUnknown(Versions.class.getPackage().getImplementationVersion()));
        v.put("djl", ai.djl.engine.Engine.getDjlVersion());
        v.put("pytorch", "2.7.1");
        v.put("java", System.getProperty("java.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return v;
    }

    private static String orUnknown(String s) {
        return s == null ? "dev" : s;
    }

    /** picocli hook for {@code --version}. */
    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return all().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toArray(String[]::new);
        }
    }
}
