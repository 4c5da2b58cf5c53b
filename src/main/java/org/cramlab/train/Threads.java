package org.cramlab.train;

/** PyTorch thread settings for the training and evaluation commands. */
final class Threads {

    private Threads() {}

    /**
     * Sets PyTorch's intra-op threads (and one inter-op thread) unless the user set them with
     * {@code -Dai.djl.pytorch.num_threads}. One thread is the default on purpose: on a shared 2-core
     * machine OpenMP's spinning threads made a training step ~10x slower (measured 500 vs 5000 tokens/s
     * at load 13). Takes effect only if the engine has not started yet in this JVM.
     */
    static void configure(int threads) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
