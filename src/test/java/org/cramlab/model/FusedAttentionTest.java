package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused path against the explicit one on the same inputs: values (1e-5) and the gradient that
 * reaches q, k and v (1e-4 of its largest entry), for every kind of call the planner makes.
 */
class FusedAttentionTest {

    @ParameterizedTest(name = "H {0}, KV {1}, T {2}, past {3}, padded {4}")
    @CsvSource({
        "4, 4, 9, 0, false", // causal (is_causal)
        "6, 2, 9, 0, false", // causal, grouped-query heads
        "6, 2, 9, 0, true",  // right-padded batch: one combined boolean mask
        "4, 4, 1, 8, false", // one decoded token after a cache: no mask
        "6, 2, 3, 8, false", // several new tokens after a cache: bottom-right causal mask
    })
    void matchesTheExplicitPathAndItsGradient(int h, int kv, int t, int past, boolean padded) {
        int b = padded ? 2 : 1;
        int s = past + t;
        int hd = 8;
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray keyMask = null;
            if (padded) {
                long[] mk = new long[b * s];
                for (int i = 0; i < mk.length; i++) {
                    mk[i] = i >= s && i % s >= s - 3 ? 0 : 1; // row 1: last 3 positions padded
                }
                keyMask = m.create(mk, new Shape(b, s));
            }
            NDArray q = m.randomNormal(new Shape(b, h, t, hd));
            NDArray k = m.randomNormal(new Shape(b, kv, s, hd));
            NDArray v = m.randomNormal(new Shape(b, kv, s, hd));
            Map<AttentionPath, NDArray[]> out = new HashMap<>();
            for (AttentionPath path : new AttentionPath[] {AttentionPath.EXPLICIT, AttentionPath.FUSED}) {
                Attention.Plan plan = new AttentionPlanner(path, m, 64).plan(m, b, t, past, keyMask);
                assertEquals(path == AttentionPath.FUSED, plan.isFused());
                NDArray[] in = {q.duplicate(), k.duplicate(), v.duplicate()};
                NDArray o;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    for (NDArray x : in) {
                        x.setRequiresGradient(true);
                    }
                    o = Attention.attend(in[0], in[1], in[2], plan, 0.35f);
                    NDArray loss = o.square().mul(m.arange((float) o.size()).reshape(o.getShape()).cos());
                    gc.backward(padded ? loss.mul(realRows(keyMask, t)).sum() : loss.sum());
                }
                assertEquals(new Shape(b, t, (long) h * hd), o.getShape());
                out.put(path, new NDArray[] {o, in[0].getGradient(), in[1].getGradient(), in[2].getGradient()});
            }
            NDArray[] e = out.get(AttentionPath.EXPLICIT);
            NDArray[] f = out.get(AttentionPath.FUSED);
            NDArray real = padded ? realRows(keyMask, t) : m.ones(new Shape(1, 1, 1));
            float diff = e[0].sub(f[0]).abs().mul(real).max().getFloat();
            assertTrue(diff <= 1e-5f, "output diff " + diff);
            String[] names = {"out", "q", "k", "v"};
            for (int i = 1; i < 4; i++) {
                float scale = e[i].abs().max().getFloat();
                float g = e[i].sub(f[i]).abs().max().getFloat();
                assertTrue(scale > 0 && g <= 1e-4f * scale, names[i] + " grad diff " + g + " of " + scale);
            }
        }
    }

    /** [B, T, 1] 1 for real query rows (padded rows' outputs are not meaningful on either path). */
    private static NDArray realRows(NDArray keyMask, int t) {
        long s = keyMask.getShape().get(1);
        return keyMask.get(":, " + (s - t) + ":").toType(DataType.FLOAT32, false).expandDims(2);
    }

    /** float16 stays float16 through the module (on a GPU sdpa then runs its half kernels). */
    @Test
    void keepsTheInputDtype() {
        try (NDManager m = NDManager.newBaseManager()) {
            Attention.Plan plan = new AttentionPlanner(AttentionPath.FUSED, m, 64).plan(m, 1, 5, 0, null);
            NDArray q = m.randomNormal(new Shape(1, 2, 5, 8)).toType(DataType.FLOAT16, false);
            NDArray o = Attention.attend(q, q, q, plan, 1f);
            assertEquals(DataType.FLOAT16, o.getDataType());
            NDArray ref = Attention.attend(q.toType(DataType.FLOAT32, false), q.toType(DataType.FLOAT32, false),
                    q.toType(DataType.FLOAT32, false), Attention.Plan.explicit(Attention.causalMask(m, 1, 5, 0, null)), 1f);
            float diff = o.toType(DataType.FLOAT32, false).sub(ref).abs().max().getFloat();
            assertTrue(diff < 1e-2f, "float16 result vs float32 explicit " + diff);
        }
    }

    /**
     * The TorchScript executor honours cramlab's one intra-op thread (the tests' JVM runs with
     * ai.djl.pytorch.num_threads=1, as TorchThreads sets by default), also when called from a thread
     * other than the one that started the engine: over a few long fused calls, no thread the caller
     * started (OpenMP workers inherit its name) gets more than a fifth of the calling thread's CPU time
     * (with two threads a worker gets about as much as the caller).
     */
    @Test
    void runsOnTheCallingThreadOnly() throws Exception {
        assertEquals(1, Engine.getInstance().getEngineName().equals("PyTorch")
                ? ai.djl.pytorch.jni.JniUtils.getNumThreads() : 1, "test JVM runs with one intra-op thread");
        AtomicReference<Map<String, Long>> before = new AtomicReference<>();
        AtomicReference<Map<String, Long>> afterRef = new AtomicReference<>();
        AtomicReference<String> self = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                Attention.Plan plan = new AttentionPlanner(AttentionPath.FUSED, m, 2048).plan(m, 1, 1024, 0, null);
                for (int i = 0; i < 8; i++) {
                    if (i == 2) { // after warm-up
                        before.set(cpuTicksPerThread());
                        self.set(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
                    }
                    try (NDManager step = m.newSubManager();
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray x = step.randomNormal(new Shape(1, 8, 1024, 64));
                        x.setRequiresGradient(true);
                        gc.backward(Attention.attend(x, x, x, plan, 0.125f).sum());
                        assertTrue(x.getGradient().abs().sum().getFloat() > 0, "gradient reaches the input");
                    }
                }
                afterRef.set(cpuTicksPerThread()); // while this thread still exists
            } catch (Throwable t) {
                error.set(t);
            }
        });
        worker.setName(NAME);
        worker.start();
        worker.join();
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
        Map<String, Long> after = afterRef.get();
        long mine = after.get(self.get()) - before.get().getOrDefault(self.get(), 0L);
        long others = 0;
        String busiest = "";
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = e.getValue() - before.get().getOrDefault(e.getKey(), 0L);
            // native threads started by the caller (OpenMP workers) carry its name; the JVM's JIT and GC
            // threads have their own and are not the executor's
            if (!e.getKey().equals(self.get()) && d > others && NAME.startsWith(comm(e.getKey()))) {
                others = d;
                busiest = e.getKey();
            }
        }
        assertTrue(mine > 10, "the calling thread did the work: " + mine + " ticks");
        assertTrue(others * 5 <= mine, "thread " + busiest + " used " + others + " ticks beside the caller's " + mine);
    }

    /** The calling thread's name; Linux keeps the first 15 characters as each native thread's comm. */
    private static final String NAME = "fused-attention-thread-test";

    private static String comm(String tid) {
        try {
            String c = Files.readString(Path.of("/proc/self/task", tid, "comm")).strip();
            return c.isEmpty() ? "?" : c;
        } catch (IOException gone) {
            return "?";
        }
    }

    /** utime + stime (clock ticks) of every thread of this process, by thread id. */
    private static Map<String, Long> cpuTicksPerThread() throws IOException {
        Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(task.getFileName().toString(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException gone) {
                    // thread ended meanwhile
                }
            }
        }
        return ticks;
    }
}
