package org.cramlab.cli;

import org.cramlab.model.TorchThreads;
import picocli.CommandLine.Option;

/** {@code --threads}: PyTorch's intra-op threads (see {@link TorchThreads} for why the default is one). */
public final class ThreadsOption {

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch intra-op threads unless -Dai.djl.pytorch.num_threads is given"
                    + " (default: $" + TorchThreads.ENV + ", else 1).")
    Integer threads;

    /** Sets the threads before the engine starts and returns the count in use. */
    public int configure() {
        if (threads == null) {
            TorchThreads.configureFromEnvironment();
        } else if (threads < 1) {
            throw new org.cramlab.cram.CramException("--threads must be >= 1, got " + threads);
        } else {
            TorchThreads.configure(threads);
        }
        return Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads"));
    }
}
