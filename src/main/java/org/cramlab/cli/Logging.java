package org.cramlab.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Quiet by default: configures slf4j-simple (the backend on the classpath) before the first logger exists,
 * so a command prints its own output only. cramlab's loggers (and any other library's) at WARN; DJL's
 * platform and CUDA-detection chatter off and the rest of DJL at ERROR. {@code --verbose} shows INFO from
 * everyone; {@code CRAMLAB_LOG=<level>} sets one level for all. A {@code -Dorg.slf4j.simpleLogger...}
 * property given to the JVM wins over all of this.
 */
final class Logging {

    /** The environment variable naming one log level for every logger. */
    static final String ENV = "CRAMLAB_LOG";
    /** slf4j-simple's level names. */
    static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {}

    /**
     * The slf4j-simple properties for these arguments and environment.
     *
     * @throws IllegalArgumentException naming {@value #ENV} when it is not a level
     */
    static Map<String, String> properties(String[] args, Map<String, String> env) {
        String level = env.get(ENV);
        if (level != null && !level.isBlank()) {
            level = level.strip().toLowerCase(Locale.ROOT);
            if (!LEVELS.contains(level)) {
                throw new IllegalArgumentException(ENV + " must be one of " + String.join(", ", LEVELS) + ", got '"
                        + env.get(ENV) + "'");
            }
            return base(level, level, level);
        }
        if (List.of(args).contains("--verbose")) {
            return base("info", "info", "info");
        }
        return base("warn", "error", "off");
    }

    private static Map<String, String> base(String level, String djl, String djlPlatform) {
        return Map.of(PREFIX + "defaultLogLevel", level, PREFIX + "log.ai.djl", djl, PREFIX + "log.ai.djl.util", djlPlatform,
                PREFIX + "showThreadName", "false", PREFIX + "showShortLogName", "true");
    }

    /** Sets {@link #properties} as system properties, keeping any the JVM was given. */
    static void configure(String[] args, Map<String, String> env) {
        properties(args, env).forEach((k, v) -> {
            if (System.getProperty(k) == null) System.setProperty(k, v);
        });
    }
}
