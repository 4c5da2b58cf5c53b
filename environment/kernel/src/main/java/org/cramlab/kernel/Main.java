package org.cramlab.kernel;

import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.cramlab.kernel.runtime.Kernel;
import org.cramlab.kernel.runtime.LibraryHooks;
import org.cramlab.kernel.wire.KernelConnection;

/**
 * Launcher: {@code java -cp ... org.cramlab.kernel.Main CONNECTION_FILE}. Reads IJava's environment
 * variables (the {@code JJAVA_} spelling too): {@code IJAVA_CLASSPATH}, {@code IJAVA_COMPILER_OPTS},
 * {@code IJAVA_TIMEOUT}, {@code IJAVA_STARTUP_SCRIPTS_PATH}, {@code IJAVA_STARTUP_SCRIPT}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp <kernel and lib jars> org.cramlab.kernel.Main CONNECTION_FILE");
            System.exit(2);
        }
        Path connectionFile = Path.of(args[0]);
        if (!Files.isRegularFile(connectionFile)) {
            throw new IllegalArgumentException("connection file " + connectionFile + " is not a file");
        }
        JupyterSocket.JUPYTER_LOGGER.setLevel(Level.WARNING);
        // basekernel logs every loop start/stop at INFO on stderr, which ends up in every notebook run
        java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
        Map<String, String> env = System.getenv();

        JavaKernel kernel = new JavaKernel(parseTimeout(setting(env, "TIMEOUT")),
                MagicParser.splitArgs(orEmpty(setting(env, "COMPILER_OPTS"))), Path.of("").toAbsolutePath());
        Kernel.setKernelInstance(kernel);

        String cp = setting(env, "CLASSPATH");
        for (String entry : cp == null ? new String[0] : cp.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                kernel.addClasspathPatterns(List.of(entry));
            } catch (Exception e) { // a stale entry should not keep the kernel from starting
                System.err.println("IJAVA_CLASSPATH entry " + entry + " skipped: " + e.getMessage());
            }
        }
        LibraryHooks.install(Main.class.getClassLoader()); // Lab.open("name") displays through this kernel
        try (InputStream in = Main.class.getResourceAsStream("startup.jsh")) {
            kernel.runStartup(new String(in.readAllBytes(), StandardCharsets.UTF_8), "(built in)");
        }
        for (Path script : startupScripts(setting(env, "STARTUP_SCRIPTS_PATH"))) {
            kernel.runStartup(Files.readString(script), script.toString());
        }
        String inline = setting(env, "STARTUP_SCRIPT");
        if (inline != null && !inline.isBlank()) {
            kernel.runStartup(inline, "IJAVA_STARTUP_SCRIPT");
        }

        // The kernel's own shell and control reading: a bad message is dropped, not fatal (see wire/).
        KernelConnection connection = new KernelConnection(KernelConnectionProperties.parse(Files.readString(connectionFile)), System.err);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        System.exit(0);
    }

    /** IJava's variable, else JJava's. */
    private static String setting(Map<String, String> env, String name) {
        String v = env.get("IJAVA_" + name);
        return v != null ? v : env.get("JJAVA_" + name);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Files named by a path-separated list of paths or globs; missing ones are skipped like IJava does. */
    static List<Path> startupScripts(String spec) throws IOException {
        List<Path> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String pattern : spec.split(File.pathSeparator)) {
            if (pattern.isBlank()) {
                continue;
            }
            try {
                for (Path p : Globs.expand(Path.of("").toAbsolutePath(), pattern)) {
                    if (Files.isRegularFile(p)) {
                        out.add(p);
                    }
                }
            } catch (IOException e) {
                System.err.println("startup script " + pattern + " skipped: " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * IJava's timeout format: a number in milliseconds, optionally followed by a
     * {@link TimeUnit} name ({@code "30 SECONDS"}); below 1 means none.
     */
    static long parseTimeout(String spec) {
        if (spec == null || spec.isBlank()) {
            return -1;
        }
        String[] parts = spec.strip().split("\\s+");
        long n;
        try {
            n = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("IJAVA_TIMEOUT '" + spec + "': expected a number, optionally followed by a unit such as SECONDS");
        }
        if (n < 1) {
            return -1;
        }
        if (parts.length == 1) {
            return n;
        }
        try {
            return TimeUnit.valueOf(parts[1].toUpperCase()).toMillis(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("IJAVA_TIMEOUT '" + spec + "': unknown unit " + parts[1] + " (use e.g. SECONDS, MINUTES)");
        }
    }
}
