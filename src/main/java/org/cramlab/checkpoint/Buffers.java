package org.cramlab.checkpoint;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Frees direct and mapped buffers at once instead of at some later GC: a checkpoint's worth of
 * conversion buffers or mappings must not linger while the next tensors load (memory ~ 1x weights).
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
            // not available: buffers are then freed by the GC as usual
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    private Buffers() {}

    /** Releases a direct buffer's memory or a mapping; the buffer must not be used afterwards. */
    static void free(ByteBuffer buf) {
        if (INVOKE_CLEANER == null || buf == null || !buf.isDirect()) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buf);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a slice or duplicate has no cleaner of its own: leave it to the GC
        }
    }
}
