package org.cramlab.kernel.runtime;

import org.cramlab.kernel.JavaKernel;

/** Access to the running kernel from notebook code (IJava has the same entry point). */
public final class Kernel {
    private static volatile JavaKernel instance;

    private Kernel() {}

    /** The kernel running this notebook, or null outside one. */
    public static JavaKernel getKernelInstance() {
        return instance;
    }

    /** Set once by the launcher. */
    public static void setKernelInstance(JavaKernel kernel) {
        instance = kernel;
    }

    static JavaKernel require() {
        JavaKernel k = instance;
        if (k == null) {
            throw new IllegalStateException("No Java kernel running (display/render only work inside a notebook)");
        }
        return k;
    }
}
