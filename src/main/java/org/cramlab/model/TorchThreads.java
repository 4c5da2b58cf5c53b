package org.cramlab.model;

/**
 * PyTorch's CPU thread counts for cramlab's JVMs (CLI, notebooks, trainer).
 *
 * <p>One intra-op thread is the default on purpose: a cramming step on the small models cramlab runs
 * on a CPU is hundreds of small ops, where OpenMP's spinning threads cost more than they gain, and
 * on a busy 2-core machine two threads made a step ~25x slower (measured: 100 steps of the default
 * model at L = 7 took 2 s with one thread and ~50 s with two at load 4; training 500 vs 5000
 * tokens/s at load 13). Set {@code CRAMLAB_THREADS=N} (or {@code -Dai.djl.pytorch.num_threads=N})
 * for large models on many-core CPUs; GPU runs are not affected.
 */
public final class TorchThreads {

    /** Environment variable with the intra-op thread count. */
    public static final String ENV = "CRAMLAB_THREADS";

    private TorchThreads() {}

    /**
     * Sets PyTorch's intra-op threads (and one inter-op thread) unless the user set them with
     * {@code -Dai.djl.pytorch.num_threads}. Takes effect only if the engine has not started yet in
     * this JVM.
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
    }

    /** {@link #configure} from {@code CRAMLAB_THREADS} (default 1). */
    public static void configureFromEnvironment() {
        String value = System.getenv(ENV);
        if (value == null || value.isBlank()) {
            configure(1);
            return;
        }
        try {
            configure(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV + " must be a whole number of threads >= 1, got '" + value + "'");
        }
    }
}
