package org.cramlab.model;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import org.cramlab.core.ChildJvm;

/**
 * The BLAS under DJL's libtorch, and its thread count.
 *
 * <p>DJL's CPU libtorch links MKL statically but calls {@code sgemm_} through the PLT, so an OpenBLAS
 * preloaded by the launchers ({@code environment/jvm-options}) takes its matmuls. OpenBLAS keeps its own
 * thread pool, which libtorch's {@code set_num_threads} does not reach: {@link TorchThreads} sets it here
 * too, through the process's global symbols. Without OpenBLAS in the process nothing is called and the
 * BLAS is libtorch's own MKL.
 */
public final class BlasThreads {

    /** What {@link #describe()} says when no OpenBLAS is in the process. */
    public static final String MKL = "mkl";

    static {
        // ChildJvm.PROCESS_REAPER_OPTION, for a JVM started without it (a notebook's own java): the JDK reads it
        // when the first process starts, here JNA's `ldconfig -p` just below, unless DJL started one before
        if (System.getProperty(ChildJvm.PROCESS_REAPER_PROPERTY) == null) {
            System.setProperty(ChildJvm.PROCESS_REAPER_PROPERTY, "true");
        }
    }

    private static final Symbols OPENBLAS = Symbols.lookUp();

    private BlasThreads() {}

    /** True when an OpenBLAS is in the process (preloaded), so it, not MKL, does libtorch's matmuls. */
    public static boolean openBlas() {
        return OPENBLAS != null;
    }

    /**
     * The BLAS in use: {@code mkl}, or OpenBLAS's own configuration string, e.g.
     * {@code OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64} (version and the CPU kernels it chose).
     */
    public static String describe() {
        return OPENBLAS == null ? MKL : OPENBLAS.config.invokeString(new Object[0], false).strip();
    }

    /**
     * A short name of the BLAS for a container's header, where bytes count: {@code mkl}, or {@code openblas}, its
     * version and the CPU kernels it chose, e.g. {@code openblas 0.3.21 cooperlake} (what decides its rounding).
     */
    public static String shortName() {
        if (OPENBLAS == null) {
            return MKL;
        }
        String[] config = describe().split(" ");
        String core = OPENBLAS.coreName.invokeString(new Object[0], false).strip().toLowerCase(java.util.Locale.ROOT);
        return "openblas " + (config.length > 1 ? config[1] : "?") + " " + core;
    }

    /** For reports: {@code mkl (libtorch's own)}, or OpenBLAS's configuration and its current thread count. */
    public static String summary() {
        return OPENBLAS == null ? MKL + " (libtorch's own)" : describe() + ", " + threads() + " threads";
    }

    /** OpenBLAS's thread count, or 0 without OpenBLAS. */
    public static int threads() {
        return OPENBLAS == null ? 0 : OPENBLAS.getThreads.invokeInt(new Object[0]);
    }

    /** Sets OpenBLAS's threads to {@code threads} when OpenBLAS is in the process; does nothing otherwise. */
    public static void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
        }
        if (OPENBLAS != null && threads() != threads) {
            OPENBLAS.setThreads.invokeVoid(new Object[] {threads});
            if (threads > 1 && !warned) {
                warned = true;
                // OpenBLAS's own pool beside libtorch's OpenMP threads: a Pythia-160M step at 2 threads took
                // 1.5-4x the reference's time, MKL's (which shares the OpenMP pool) 1.05x (docs/benchmarks.md)
                System.err.println("cramlab: OpenBLAS is preloaded and now runs " + threads + " threads beside libtorch's:"
                        + " above 1 thread MKL was faster here; start with CRAMLAB_BLAS=mkl (docs/benchmarks.md)");
            }
        }
    }

    private static boolean warned;

    /** OpenBLAS's entry points, resolved once. */
    private record Symbols(Function setThreads, Function getThreads, Function config, Function coreName) {

        /** The symbols from the process's global scope, or null when any is missing (no OpenBLAS). */
        static Symbols lookUp() {
            try {
                NativeLibrary process = NativeLibrary.getProcess();
                return new Symbols(process.getFunction("openblas_set_num_threads"),
                        process.getFunction("openblas_get_num_threads"), process.getFunction("openblas_get_config"),
                        process.getFunction("openblas_get_corename"));
            } catch (UnsatisfiedLinkError e) {
                return null;
            }
        }
    }
}
