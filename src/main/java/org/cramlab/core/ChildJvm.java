package org.cramlab.core;

import java.nio.file.Path;
import java.util.List;

/**
 * The start of every command line by which cramlab runs another JVM of itself (the bench's probes, Slurm
 * tasks). Such a JVM inherits the launchers' {@code LD_PRELOAD}, OpenBLAS included ({@code environment/jvm-options}).
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** The JDK property behind {@link #PROCESS_REAPER_OPTION}. */
    public static final String PROCESS_REAPER_PROPERTY = "jdk.lang.processReaperUseDefaultStackSize";

    /**
     * With OpenBLAS preloaded, its thread-local buffers leave no room on the JVM's small process-reaper stack: the
     * reaper dies of a StackOverflowError and the first child process (JNA's own {@code ldconfig -p}, which DJL
     * starts while it looks for CUDA) is waited for for ever. The launchers pass this option too.
     */
    public static final String PROCESS_REAPER_OPTION = "-D" + PROCESS_REAPER_PROPERTY + "=true";

    /** This JVM's java binary. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java -Dai.djl.offline=true} with the process-reaper option: add JVM options, then the main class. */
    public static List<String> command() {
        return List.of(java(), "-Dai.djl.offline=true", PROCESS_REAPER_OPTION);
    }
}
