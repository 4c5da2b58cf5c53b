package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cramlab.core.ChildJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BLAS under libtorch: MKL and no calls without OpenBLAS in the process; with OpenBLAS preloaded (a child
 * JVM started the way the launchers start cramlab) its thread count follows cramlab's thread setting.
 */
class BlasThreadsTest {

    @Test
    void withoutOpenBlasItIsMklAndSettingThreadsDoesNothing() {
        Assumptions.assumeFalse(BlasThreads.openBlas(), "this test JVM has OpenBLAS preloaded");
        assertEquals("mkl", BlasThreads.describe());
        assertEquals("mkl", BlasThreads.shortName());
        BlasThreads.set(2);
        assertEquals(0, BlasThreads.threads());
        assertEquals(1, TorchThreads.set(1)); // surefire's one thread; the BLAS call is skipped, not failed
    }

    @Test
    void openBlasThreadsFollowTheThreadSetting(@TempDir Path dir) throws Exception {
        List<String> lines = runWithOpenBlas(dir, Child.class, ChildJvm.command());
        assertTrue(lines.get(0).matches("OpenBLAS (\\S+) .* \\| openblas \\1 [a-z0-9_]+"), lines.toString());
        assertEquals(List.of("start 1", "configure(2) 2", "set(1) 1", "set(2) 2"), lines.subList(1, lines.size()));
    }

    /**
     * With OpenBLAS preloaded, a JVM's first child process used to hang it for good (JNA's `ldconfig -p`, started by
     * DJL's CUDA probe or by this class): a JVM without the launchers' process-reaper option (a notebook's own java)
     * is covered when this class comes first, and cramlab's child JVMs (bench probes, Slurm tasks) when DJL does.
     */
    @Test
    void aJvmWithOpenBlasStillStartsProcesses(@TempDir Path dir) throws Exception {
        List<String> plain = List.of(ChildJvm.java(), "-Dai.djl.offline=true");
        assertEquals(List.of("true", "started 0"), runWithOpenBlas(dir, StartsAProcess.class, plain));
        assertEquals(List.of("gpus 0", "true"), runWithOpenBlas(dir, DjlFirst.class, ChildJvm.command()));
    }

    /** Runs {@code main} in a child JVM ({@code jvm}: java and its options) with the launchers' OpenBLAS preloaded; its stdout lines. */
    private static List<String> runWithOpenBlas(Path dir, Class<?> main, List<String> jvm) throws Exception {
        String openBlas = launcherOpenBlas();
        Assumptions.assumeTrue(!openBlas.isEmpty(), "no OpenBLAS installed (Debian: libopenblas0-pthread)");
        List<String> cmd = new java.util.ArrayList<>(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        Path out = dir.resolve("out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().put("LD_PRELOAD", openBlas);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "the child JVM did not finish in 120 s: " + Files.readString(dir.resolve("err")));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err")));
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }

    /** The OpenBLAS library environment/jvm-options preloads, or "" when none is installed. */
    private static String launcherOpenBlas() throws Exception {
        Path options = Path.of("environment", "jvm-options").toAbsolutePath();
        Process p = new ProcessBuilder("bash", "-c", "source \"$0\"; CRAMLAB_BLAS=openblas; cramlab_use_blas 2>/dev/null;"
                + " printf %s \"$CRAMLAB_BLAS_LIB\"", options.toString()).start();
        String lib = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        return lib;
    }

    /** Loads the BLAS symbols, then starts a process and prints its exit code. */
    public static final class StartsAProcess {
        public static void main(String[] args) throws Exception {
            System.out.println(BlasThreads.openBlas());
            System.out.println("started " + new ProcessBuilder("true").start().waitFor());
        }
    }

    /** Lets DJL probe for CUDA (the bench's load probe does so first), then loads the BLAS symbols. */
    public static final class DjlFirst {
        public static void main(String[] args) {
            System.out.println("gpus " + ai.djl.util.cuda.CudaUtils.getGpuCount());
            System.out.println(BlasThreads.openBlas());
        }
    }

    /** Prints the BLAS and its thread count after each thread setting. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println(BlasThreads.describe() + " | " + BlasThreads.shortName());
            System.out.println("start " + BlasThreads.threads());
            TorchThreads.configure(2);
            System.out.println("configure(2) " + BlasThreads.threads());
            TorchThreads.set(1); // starts the engine, which took 2 from configure
            System.out.println("set(1) " + BlasThreads.threads());
            TorchThreads.set(2);
            System.out.println("set(2) " + BlasThreads.threads());
        }
    }
}
