package org.cramlab.sweep;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.core.ChildJvm;

/**
 * How a Slurm task starts cramlab: a java binary and the arguments before the subcommand, e.g.
 * {@code -jar /abs/lib/cramlab.jar}. Paths are absolute because tasks start in another directory,
 * possibly on another node that sees the same shared filesystem.
 *
 * @param java the java binary the tasks run (the script lets {@code $CRAMLAB_JAVA} override it)
 * @param entry arguments that select cramlab's main class ({@code -jar X} or {@code -cp X org.cramlab.cli.Main})
 */
public record Launcher(String java, List<String> entry) {
    private static final String MAIN = "org.cramlab.cli.Main";

    public Launcher {
        entry = List.copyOf(entry);
    }

    /** Runs {@code jar} (which must exist), e.g. {@code lib/cramlab.jar}, with this JVM's java binary. */
    public static Launcher ofJar(Path jar) {
        Path abs = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new SweepException("cramlab jar " + abs + " does not exist; build it with `mvn -B package -DskipTests`");
        }
        return new Launcher(ChildJvm.java(), List.of("-jar", abs.toString()));
    }

    /**
     * The way this process was started: {@code -jar} with the jar this class was loaded from (the
     * {@code java -jar lib/cramlab.jar} and notebook case), else {@code -cp} with this JVM's class path.
     */
    public static Launcher current() {
        Path source;
        try {
            source = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            source = null;
        }
        if (source != null && Files.isRegularFile(source) && source.toString().endsWith(".jar")) {
            return ofJar(source);
        }
        List<String> cp = new ArrayList<>();
        for (String p : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!p.isBlank()) cp.add(Path.of(p).toAbsolutePath().normalize().toString());
        }
        return new Launcher(ChildJvm.java(), List.of("-cp", String.join(File.pathSeparator, cp), MAIN));
    }
}
