package org.cramlab.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's in-process execution, changed so the kernel gets a snippet's value as an object (JShell
 * itself only hands back its {@code toString}): the value is kept under a key and the key is
 * returned as the value string. Each snippet runs in its own thread so it can be stopped.
 */
final class ResultExecutionControl extends LocalExecutionControl {
    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final AtomicInteger keys = new AtomicInteger();
    private final long timeoutMillis;
    private volatile Thread running;
    private volatile boolean stopRequested;
    private volatile boolean timedOut;

    /** @param timeoutMillis per-snippet limit, or <= 0 for none */
    ResultExecutionControl(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        FutureTask<Object> task = new FutureTask<>(() -> doitMethod.invoke(null));
        Thread thread = new Thread(task, "cell");
        stopRequested = false;
        timedOut = false;
        running = thread;
        thread.start();
        Object value;
        try {
            value = timeoutMillis > 0 ? task.get(timeoutMillis, TimeUnit.MILLISECONDS) : task.get();
        } catch (TimeoutException e) {
            timedOut = true;
            halt(thread);
            throw new ExecutionControl.StoppedException();
        } catch (ExecutionException e) {
            if (stopRequested) {
                throw new ExecutionControl.StoppedException();
            }
            Throwable cause = e.getCause();
            if (cause instanceof InvocationTargetException ite) {
                throw ite;
            }
            throw new InvocationTargetException(cause);
        } finally {
            running = null;
        }
        if (stopRequested) {
            throw new ExecutionControl.StoppedException();
        }
        if (value == null) {
            return "null";
        }
        String key = "cramlab-result-" + keys.incrementAndGet();
        results.put(key, value);
        return key;
    }

    /** The object behind a value string from {@link #invoke}, removed from the store; null if none. */
    Object takeResult(String key) {
        return key == null ? null : results.remove(key);
    }

    /** True if the last snippet ended because it ran past the timeout. */
    boolean timedOut() {
        return timedOut;
    }

    /** True if the last snippet was stopped (interrupt or timeout) rather than finishing. */
    boolean stopped() {
        return stopRequested || timedOut;
    }

    @Override
    public void stop() {
        Thread t = running;
        if (t != null) {
            stopRequested = true;
            halt(t);
        }
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static void halt(Thread t) {
        t.interrupt();
        try {
            // Only a hard stop ends a busy loop; Java 17 still allows it (newer JDKs throw, then the
            // interrupt above is all we can do).
            t.stop();
        } catch (UnsupportedOperationException ignored) {
            // interrupt only
        }
    }

    /** Hands JShell this one instance. */
    static final class Provider implements ExecutionControlProvider {
        private final ResultExecutionControl control;

        Provider(ResultExecutionControl control) {
            this.control = control;
        }

        @Override
        public String name() {
            return "cramlab";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }
    }
}
