package org.cramlab.bench;

import java.util.List;

/**
 * Step-loop memory: whether RSS, live NDArrays and the Java heap stay flat over a long run of
 * optimisation steps. The numbers come from the step-time loop at the shortest length
 * ({@link StepBench}), which runs on to {@code --rss-steps} for them.
 */
public final class MemoryBench {

    /**
     * Step-loop RSS may grow by at most this fraction over the second half of the loop to count as
     * flat: a leak grows with every step, while allocator and JIT warm-up settle early.
     */
    static final double FLAT_TOLERANCE = 0.01;

    private MemoryBench() {}

    /** The step whose RSS is compared with the last one: 100, or half of a shorter loop. */
    static int rssMark(int total) {
        return total >= 200 ? 100 : Math.max(1, total / 2);
    }

    /** Whether RSS grew by at most {@link #FLAT_TOLERANCE} from {@code mid} to {@code end}. */
    static boolean flat(ProcStatus mid, ProcStatus end) {
        return end.rssKb() - mid.rssKb() <= FLAT_TOLERANCE * mid.rssKb();
    }

    /** Adds the step-loop memory table of {@code r} (a loop of {@code r.totalSteps()} steps) to the report. */
    static void report(Bench.Context c, String name, StepBench.Result r) {
        BenchReport report = c.report();
        if (r.atMark() == null || r.atMid() == null || r.atEnd() == null) {
            report.note("step-loop memory: not measured (no /proc/self/status)");
            return;
        }
        int mark = rssMark(r.totalSteps());
        int mid = Math.max(1, r.totalSteps() / 2);
        int n = r.totalSteps();
        long growth = r.atEnd().rssKb() - r.atMark().rssKb();
        long secondHalf = r.atEnd().rssKb() - r.atMid().rssKb();
        boolean flat = flat(r.atMid(), r.atEnd());
        report.add("memory", name, r.length(), 1, "rss_at_step_" + mark + "_mib", ProcStatus.mib(r.atMark().rssKb()), "MiB");
        report.add("memory", name, r.length(), 1, "rss_at_step_" + mid + "_mib", ProcStatus.mib(r.atMid().rssKb()), "MiB");
        report.add("memory", name, r.length(), 1, "rss_at_step_" + n + "_mib", ProcStatus.mib(r.atEnd().rssKb()), "MiB");
        report.add("memory", name, r.length(), 1, "rss_growth_" + mark + "_to_" + n + "_mib", ProcStatus.mib(growth), "MiB");
        report.add("memory", name, r.length(), 1, "rss_growth_" + mid + "_to_" + n + "_mib", ProcStatus.mib(secondHalf), "MiB");
        report.add("memory", name, r.length(), 1, "peak_rss_mib", ProcStatus.mib(r.peakKb()), "MiB");
        report.add("memory", name, r.length(), 1, "java_heap_committed_mib", r.heapAtEnd() / 1048576.0, "MiB");
        StepBench.LiveArrays arrays = r.arrays();
        report.add("memory", name, r.length(), 1, "live_ndarrays_at_step_" + mark, arrays.atMark(), "arrays");
        report.add("memory", name, r.length(), 1, "live_ndarrays_at_step_" + n, arrays.atEnd(), "arrays");
        report.add("memory", name, r.length(), 1, "jit_compile_ms_" + mid + "_to_" + n, r.jitMsSecondHalf(), "ms");
        report.add(new BenchReport.Table("Step-loop memory, " + name + ", L = " + r.length() + ", " + n + " steps",
                List.of("RSS @" + mark + " MiB", "RSS @" + mid + " MiB", "RSS @" + n + " MiB",
                        "growth " + mark + "->" + n, "growth " + mid + "->" + n, "peak MiB", "Java heap MiB",
                        "live NDArrays @" + mark + "/" + mid + "/" + n, "JIT ms " + mid + "->" + n,
                        "target: flat (" + mid + "->" + n + " <= " + (int) (FLAT_TOLERANCE * 100) + "%)"),
                List.of(List.of(BenchReport.fmt(ProcStatus.mib(r.atMark().rssKb()), 1),
                        BenchReport.fmt(ProcStatus.mib(r.atMid().rssKb()), 1), BenchReport.fmt(ProcStatus.mib(r.atEnd().rssKb()), 1),
                        BenchReport.fmt(ProcStatus.mib(growth), 1), BenchReport.fmt(ProcStatus.mib(secondHalf), 1),
                        BenchReport.fmt(ProcStatus.mib(r.peakKb()), 1),
                        BenchReport.fmt(r.heapAtMark() / 1048576.0, 0) + (r.heapAtMark() == r.heapAtEnd() ? " (fixed)"
                                : " -> " + BenchReport.fmt(r.heapAtEnd() / 1048576.0, 0)),
                        arrays.atMark() + "/" + arrays.atMid() + "/" + arrays.atEnd(), String.valueOf(r.jitMsSecondHalf()),
                        flat ? "met" : "MISSED"))));
        if (!flat && arrays.flat() && r.jitMsSecondHalf() > 0) {
            report.note("step-loop memory: RSS grew while the JVM's JIT compiled for " + r.jitMsSecondHalf() + " ms in the"
                    + " same steps, and no NDArray outlived its step (live arrays " + arrays.atMark() + " at every mark):"
                    + " as found in environment/bench/RESULTS.md, that is the C2 compiler's warm-up (its freed arenas"
                    + " stay resident), not a cramlab leak; a longer loop (e.g. --rss-steps 4000) judges steps after it settles");
        } else if (!arrays.flat()) {
            report.note("step-loop memory: live NDArrays changed (" + arrays.atMark() + " -> " + arrays.atMid() + " -> "
                    + arrays.atEnd() + "): arrays outlive their step, a cramlab leak");
        }
        if (r.heapAtMark() != r.heapAtEnd() || heapGrowable()) {
            report.note("step-loop memory: the Java heap can still grow (run via environment/bench/run, which fixes and"
                    + " pre-touches it), so RSS growth may be heap pages touched for the first time, not native memory");
        }
    }

    /** Whether this JVM may still commit more heap (-Xms below -Xmx). */
    private static boolean heapGrowable() {
        java.lang.management.MemoryUsage heap =
                java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getMax() > heap.getCommitted();
    }
}
