package org.cramlab.checkpoint;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Frees a mapped or direct buffer at once instead of at some later garbage collection.
 *
 * <p>Why: pages of a mapped tensor count as resident until the mapping goes, and a checkpoint is
 * copied into libtorch tensor by tensor, so leaving unmapping to the GC held the whole file resident
 * next to its copy (peak RSS ~2x the checkpoint, measured by {@code bench}). Uses
 * {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, Java 9+); where it is unavailable the
 * buffer is left to the GC as before.
 */
final class Buffers {

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            cleaner = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            cleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    private Buffers() {}

    /**
     * Unmaps/frees {@code buffer} now. The caller guarantees nothing reads it afterwards (no view, no
     * native tensor over its memory). Heap buffers and null are ignored.
     *
     * @return true if the memory was released now
     */
    static boolean release(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect() || INVOKE_CLEANER == null) {
            return false;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // e.g. a slice or duplicate: the GC frees its parent later
        }
    }
}
