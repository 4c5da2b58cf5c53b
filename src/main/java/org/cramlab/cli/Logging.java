package org.cramlab.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Quiet by default: configures slf4j-simple (DJL's backend, on the classpath) before the first logger exists,
 * and java.util.logging (behind cramlab's {@code System.Logger}s), so a command prints its own output only. cramlab's loggers (and any other library's) at WARN; DJL's
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
    /** slf4j-simple's level of cramlab's own loggers; java.util.logging's is set to match. */
    static final String CRAMLAB_LEVEL = PREFIX + "log.org.cramlab";
    /** One line per message (java.util.logging's default is two, the first a date). */
    private static final String JUL_FORMAT = "java.util.logging.SimpleFormatter.format";
    // held: java.util.logging keeps loggers weakly, and a collected one forgets its level
    private static final java.util.logging.Logger CRAMLAB = java.util.logging.Logger.getLogger("org.cramlab");

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
        return Map.of(PREFIX + "defaultLogLevel", level, CRAMLAB_LEVEL, level, PREFIX + "log.ai.djl", djl,
                PREFIX + "log.ai.djl.util", djlPlatform, PREFIX + "showThreadName", "false", PREFIX + "showShortLogName", "true",
                JUL_FORMAT, "%4$s %3$s - %5$s%6$s%n");
    }

    /** Sets {@link #properties} as system properties, keeping any the JVM was given. */
    static void configure(String[] args, Map<String, String> env) {
        properties(args, env).forEach((k, v) -> {
            if (System.getProperty(k) == null) System.setProperty(k, v);
        });
        CRAMLAB.setLevel(julLevel(System.getProperty(CRAMLAB_LEVEL)));
    }

    /** java.util.logging's level for an slf4j-simple level name. */
    static java.util.logging.Level julLevel(String level) {
        return switch (level) {
            case "trace" -> java.util.logging.Level.FINEST;
            case "debug" -> java.util.logging.Level.FINE;
            case "info" -> java.util.logging.Level.INFO;
            case "error" -> java.util.logging.Level.SEVERE;
            case "off" -> java.util.logging.Level.OFF;
            default -> java.util.logging.Level.WARNING;
        };
    }
}
