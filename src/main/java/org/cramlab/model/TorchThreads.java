package org.cramlab.model;


/**
 * PyTorch's CPU thread counts for cramlab's JVMs (CLI, notebooks, trainer).
 *
 * <p>One intra-op thread is the default on purpose: a cramming step on the small models cramlab runs
 * on a CPU is hundreds of small ops, where OpenMP's spinning threads cost more than they gain, and
 * on a busy 2-core machine two threads made a step ~25x slower (measured: 100 steps of the default
 * model at L = 7 took 2 s with one thread and ~50 s with two at load 4; training 500 vs 5000
 * tokens/s at load 13). Set {@code CRAMLAB_THREADS=N} (or {@code -Dai.djl.pytorch.num_threads=N})
 * for large models on many-core CPUs; GPU runs are not affected. An OpenBLAS preloaded under libtorch
 * ({@link BlasThreads}) gets the same count: libtorch's own setting does not reach its thread pool.
 */
public final class TorchThreads {

    /** Environment variable with the intra-op thread count. */
    public static final String ENV = "CRAMLAB_THREADS";

    private TorchThreads() {}

    /**
     * Sets PyTorch's intra-op threads (and one inter-op thread) unless the user set them with
     * {@code -Dai.djl.pytorch.num_threads}. Takes effect only if the engine has not started yet in
     * this JVM; a preloaded OpenBLAS gets the intra-op count now.
     */
    public static void configure(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("PyTorch threads must be >= 1, got " + threads);
        }
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        String intraOp = System.getProperty("ai.djl.pytorch.num_threads").strip();
        if (intraOp.matches("[0-9]{1,9}") && Integer.parseInt(intraOp) >= 1) { // else DJL reports the bad value
            BlasThreads.set(Integer.parseInt(intraOp));
        }
    }

    private static volatile boolean warned;

    /**
     * {@link #configure} from {@code CRAMLAB_THREADS} (default 1; more than the machine's processors is
     * clamped to them with a one-line warning on stderr, once per JVM).
     *
     * @throws ModelException with a one-line message when the value is not a whole number >= 1
     */
    public static void configureFromEnvironment() {
        configure(parse(System.getenv(ENV), Runtime.getRuntime().availableProcessors(), warning -> {
            if (!warned) {
                warned = true;
                System.err.println(warning);
            }
        }));
    }

    /**
     * The thread count a {@code CRAMLAB_THREADS} value asks for: blank gives 1; more than {@code processors}
     * gives {@code processors} (oversubscribed OpenMP threads only spin: 100000 threads made no progress)
     * and a warning; anything but a whole number >= 1 is an error naming the value.
     */
    public static int parse(String value, int processors, java.util.function.Consumer<String> warn) {
        if (value == null || value.isBlank()) {
            return 1;
        }
        String v = value.strip();
        int n;
        try {
            n = v.matches("\\+?[0-9]{1,9}") ? Integer.parseInt(v) : 0;
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) {
            throw new ModelException(ENV + " must be a whole number of PyTorch threads from 1 to " + processors
                    + " (this machine's processors), got '" + value + "'");
        }
        if (n > processors) {
            warn.accept("cramlab: " + ENV + "=" + v + " is more than this machine's " + processors + " processors; using "
                    + processors + " threads");
            return processors;
        }
        return n;
    }

    /** The intra-op threads PyTorch actually uses in this JVM (starts the engine if it has not started). */
    public static int inUse() {
        ai.djl.engine.Engine.getEngine("PyTorch");
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /**
     * Sets the intra-op threads of the running engine, and a preloaded OpenBLAS's (a codec decodes with the count
     * its container records), and returns the previous intra-op count.
     */
    public static int set(int threads) {
        int before = inUse();
        if (threads != before) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        BlasThreads.set(threads);
        return before;
    }
}
