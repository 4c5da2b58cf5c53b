package org.cramlab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.RunListener;
import org.cramlab.model.CausalLM;

/**
 * Times the engine's own optimisation step (forward + backward + AdamW on the memory, exactly what
 * {@link BatchedCrammer} does per step, with a batch of one) at one length, with the PyTorch
 * reference timed in chunks between our steps, so that both see the same machine load.
 *
 * <p>A step is timed from the end of one {@code onUpdate} callback to the start of the next: that
 * span is one full engine iteration (batch assembly, forward, loss, backward, AdamW). Work done
 * inside the callback (reference chunks, /proc reads) is outside the span.
 */
public final class StepBench {

    /**
     * How to measure.
     *
     * @param warmup untimed steps first (JIT, allocator, libtorch kernels)
     * @param steps timed steps (each side)
     * @param chunk steps per side between switches
     * @param totalSteps steps to run in all (>= warmup + steps); the extra ones only feed the memory figures
     * @param rssMark the step whose RSS is compared with the last step's (e.g. 100)
     */
    public record Plan(int warmup, int steps, int chunk, int totalSteps, int rssMark) {
        public Plan {
            if (warmup < 1 || steps < 1 || chunk < 1 || totalSteps < warmup + steps) {
                throw new BenchException("bad step plan: warmup " + warmup + " (>= 1), steps " + steps
                        + " (>= 1), chunk " + chunk + " (>= 1), total " + totalSteps + " (>= warmup + steps)");
            }
        }
    }

    /**
     * What one length measured.
     *
     * @param length L
     * @param cramlab our step times
     * @param torch the reference's step times, null when it did not run
     * @param atMark status at step {@code rssMark} (null if the run was shorter)
     * @param atMid status at half the loop (a leak grows linearly, warm-up does not: compare mid to end)
     * @param atEnd status at the last step
     * @param peakKb VmHWM over the step loop (reset after the first step where the kernel allows it)
     * @param heapAtMark Java heap committed at the mark, bytes (part of RSS that a GC may reuse)
     * @param heapAtEnd Java heap committed at the last step, bytes
     * @param totalSteps steps run
     * @param arrays live NDArrays in all DJL managers at the mark, mid and last step (a cramlab leak
     *     shows here; RSS also moves with the JIT and the allocator)
     * @param jitMsSecondHalf milliseconds the JIT compiler spent from mid to last step (-1 unknown)
     */
    public record Result(int length, Timing cramlab, Timing torch, ProcStatus atMark, ProcStatus atMid, ProcStatus atEnd,
            long peakKb,
            long heapAtMark, long heapAtEnd, int totalSteps, LiveArrays arrays, long jitMsSecondHalf) {

        /** cramlab / torch median step time. */
        public double ratio() {
            return Timing.ratio(cramlab, torch);
        }
    }

    /** Live NDArray counts at the mark, mid and last step of the loop (-1 where not reached). */
    public record LiveArrays(int atMark, int atMid, int atEnd) {

        /** Whether no array outlived its step between the mark and the end. */
        public boolean flat() {
            return atMark >= 0 && atMark == atMid && atMid == atEnd;
        }
    }

    private StepBench() {}

    /** Steps before and while the profilers run (--count-ops, --profile). */
    private static final int OP_PROFILE_WARMUP = 5;
    private static final int OP_PROFILE_STEPS = 5;

    /**
     * Times the step at every length that fits the model, shortest first (which also runs on to
     * {@code --rss-steps} for {@link MemoryBench}), and adds the step-time table.
     *
     * @return one result per length measured, shortest first; empty when none fits
     */
    static List<Result> report(Bench.Context c, CausalLM model, String name, Flops.Shape shape) {
        BenchOptions o = c.options();
        List<Integer> lengths = new ArrayList<>();
        for (int l : o.lengths) {
            if (1 + l <= model.info().maxPositions()) {
                lengths.add(l);
            } else {
                c.report().note("L = " + l + " skipped: K + L exceeds the model's " + model.info().maxPositions()
                        + " positions");
            }
        }
        lengths.sort(null);
        if (lengths.isEmpty()) {
            return List.of();
        }
        Map<Integer, Double> opsPerStep = new HashMap<>(); // --count-ops, by L
        TorchReference torch = TorchReferenceSetup.open(c);
        List<Result> results = new ArrayList<>();
        int warmup = o.warmupAtLength();
        try {
            if (o.warmupLength > 0 && c.jitWarm().add(model.info().modelType())) {
                torch = jitWarmup(c, model, torch);
            } else if (o.warmupLength > 0) {
                c.report().note("warm-up (" + o.modelDir.getFileName() + "): none at L = " + o.warmupLength + ", this JVM"
                        + " already ran the " + model.info().modelType() + " step code " + o.warmup + " times (the JIT's"
                        + " warm-up is per code, not per size); " + o.lengthWarmup + " untimed steps at each length, both sides");
            }
            for (int i = 0; i < lengths.size(); i++) {
                int l = lengths.get(i);
                // The shortest length also runs the long step loop for the memory figures.
                boolean memory = i == 0 && o.rssSteps > 0;
                int total = memory ? Math.max(o.rssSteps, warmup + o.steps) : warmup + o.steps;
                Plan plan = new Plan(warmup, o.steps, o.chunk, total, MemoryBench.rssMark(total));
                c.progress("step time L=%d: %d warm-up + %d timed steps%s%s", l, warmup, o.steps,
                        torch == null ? "" : ", torch interleaved every " + o.chunk,
                        total > warmup + o.steps ? ", then to step " + total + " for memory" : "");
                int[] ids = BatchBench.randomIds(model.info().vocabSize(), l, o.seed + l);
                Result r;
                try {
                    r = run(model, ids, plan, torch, step -> c.progress("  step %d/%d", step, plan.totalSteps()));
                } catch (BenchException e) {
                    if (torch == null) {
                        throw e;
                    }
                    c.report().note("step benchmark with torch failed at L = " + l + ", repeated without torch: "
                            + e.getMessage());
                    torch.close();
                    torch = null;
                    r = run(model, ids, plan, null);
                }
                results.add(r);
                if (o.countOps || o.profile) {
                    // --profile: one reference step profiled after each of ours, so both see the same load
                    TorchReference side = o.profile ? torch : null;
                    List<List<OpProfile.Row>> theirs = new ArrayList<>();
                    OpProfile ops = OpProfile.record(model, ids, OP_PROFILE_WARMUP, OP_PROFILE_STEPS, side == null ? () -> { }
                            : () -> theirs.add(OpProfile.reference(side, ids, OP_PROFILE_WARMUP, 1)));
                    opsPerStep.put(l, ops.opsPerStep());
                    if (o.profile) {
                        ProfileTable.add(c.report(), name, l, ops.selfTimes(), side == null ? null : OpProfile.mean(theirs));
                    }
                }
                c.progress("  L=%d: cramlab %.1f ms, torch %s, ratio %s", l, r.cramlab().median(),
                        r.torch() == null ? "skipped" : BenchReport.fmt(r.torch().median(), 1) + " ms", BenchReport.fmt(r.ratio(), 2));
            }
        } finally {
            if (torch != null) {
                torch.close();
            }
        }
        StepTable.add(c, name, shape, results, opsPerStep);
        return results;
    }

    /**
     * --warmup-length: the --warmup steps once per model type, at that short length, on both sides (the JVM's
     * JIT compiles the step's Java code, which depends on neither the length nor the model's size; a step at the
     * real shapes' long lengths takes seconds). Returns the reference, or null when it failed (then noted, as the timed steps do).
     */
    private static TorchReference jitWarmup(Bench.Context c, CausalLM model, TorchReference torch) {
        BenchOptions o = c.options();
        int[] ids = BatchBench.randomIds(model.info().vocabSize(), o.warmupLength, o.seed - 1);
        c.progress("warm-up: %d steps at L=%d%s", o.warmup, o.warmupLength, torch == null ? "" : " on both sides");
        Plan plan = new Plan(o.warmup, 1, 1, o.warmup + 1, 0);
        try {
            run(model, ids, plan, torch, step -> c.progress("  warm-up step %d/%d", step, plan.totalSteps()));
        } catch (BenchException e) {
            if (torch == null) {
                throw e;
            }
            c.report().note("warm-up with torch failed, torch skipped: " + e.getMessage());
            torch.close();
            torch = null;
            run(model, ids, plan, null);
        }
        c.report().note("warm-up (" + o.modelDir.getFileName() + "): " + o.warmup + " steps at L = " + o.warmupLength
                + (torch == null ? "" : " on both sides") + ", then " + o.lengthWarmup + " untimed steps at each length");
        return torch;
    }

    /** Runs the plan on {@code ids} (K = 1); {@code torch} may be null. */
    public static Result run(CausalLM model, int[] ids, Plan plan, TorchReference torch) {
        return run(model, ids, plan, torch, step -> { });
    }

    /** As {@link #run(CausalLM, int[], Plan, TorchReference)}, telling {@code progress} every 100th step. */
    public static Result run(CausalLM model, int[] ids, Plan plan, TorchReference torch, IntConsumer progress) {
        CramSettings settings = endless(plan.totalSteps(), 1);
        Clock clock = new Clock(ids, plan, torch, ProcStatus.available(), progress, root(model.manager()));
        new BatchedCrammer(model, settings).run(List.of(CramTask.ofIds(ids, 1)), clock);
        if (clock.ours.size() < plan.steps()) {
            throw new BenchException("engine stopped after " + clock.ours.size() + " timed steps (L = " + ids.length
                    + ", stop reason " + clock.stopReason + "), expected " + plan.steps());
        }
        return new Result(ids.length, Timing.of(clock.ours), clock.theirs.isEmpty() ? null : Timing.of(clock.theirs),
                clock.atMark, clock.atMid, clock.atEnd, clock.atEnd == null ? -1 : clock.atEnd.hwmKb(), clock.heapAtMark,
                clock.heapAtEnd, plan.totalSteps(), new LiveArrays(clock.arraysAtMark, clock.arraysAtMid, clock.arraysAtEnd),
                clock.jitAtMid < 0 || clock.jitAtEnd < 0 ? -1 : clock.jitAtEnd - clock.jitAtMid);
    }

    /** The manager every other one descends from, so its count covers arrays parked anywhere. */
    private static NDManager root(NDManager m) {
        while (m.getParentManager() != null && m.getParentManager() != m) {
            m = m.getParentManager();
        }
        return m;
    }

    /** Total JIT compile time of this JVM in ms, -1 when the JVM does not report it. */
    private static long jitMs() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * Settings that run exactly {@code steps} updates per run: never solved (accuracy cannot exceed
     * 1), patience off, no greedy check.
     */
    static CramSettings endless(int steps, int batchSize) {
        return CramSettings.builder()
                .optMaxSteps(steps + 1) // the engine records a last forward without an update
                .optPatience(Integer.MAX_VALUE)
                .optSolvedAccuracy(2.0)
                .optGreedyCheck(false)
                .optBatchSize(batchSize)
                .build();
    }

    /** Times engine steps and runs the reference and /proc reads between them. */
    private static final class Clock implements RunListener {
        final int[] ids;
        final Plan plan;
        final TorchReference torch;
        final boolean proc;
        final List<Double> ours = new ArrayList<>();
        final List<Double> theirs = new ArrayList<>();
        ProcStatus atMark;
        ProcStatus atMid;
        ProcStatus atEnd;
        String stopReason;
        long heapAtMark;
        long heapAtEnd;
        final IntConsumer progress;
        final NDManager root;
        int arraysAtMark = -1;
        int arraysAtMid = -1;
        int arraysAtEnd = -1;
        long jitAtMid = -1;
        long jitAtEnd = -1;
        long resumed;

        Clock(int[] ids, Plan plan, TorchReference torch, boolean proc, IntConsumer progress, NDManager root) {
            this.ids = ids;
            this.plan = plan;
            this.torch = torch;
            this.proc = proc;
            this.progress = progress;
            this.root = root;
        }

        @Override
        public void onFinished(org.cramlab.cram.CramResult result) {
            stopReason = result.record().trajectory().stopReason();
        }

        @Override
        public void onUpdate(CramTask task, int step, NDArray memory) {
            long now = System.nanoTime();
            if (step > plan.warmup() && ours.size() < plan.steps()) {
                ours.add((now - resumed) / 1e6);
                if (torch != null && (ours.size() % plan.chunk() == 0 || ours.size() == plan.steps())) {
                    int n = ours.size() - theirs.size();
                    for (double ms : torch.steps(ids, n, plan.warmup())) {
                        theirs.add(ms);
                    }
                }
            }
            if (proc) {
                if (step == 1) {
                    ProcStatus.resetPeak();
                }
                if (step == plan.rssMark()) {
                    atMark = ProcStatus.read();
                    heapAtMark = Runtime.getRuntime().totalMemory();
                    arraysAtMark = root.getManagedArrays().size();
                }
                if (step == Math.max(1, plan.totalSteps() / 2)) {
                    atMid = ProcStatus.read();
                    arraysAtMid = root.getManagedArrays().size();
                    jitAtMid = jitMs();
                }
                if (step == plan.totalSteps()) {
                    atEnd = ProcStatus.read();
                    heapAtEnd = Runtime.getRuntime().totalMemory();
                    arraysAtEnd = root.getManagedArrays().size();
                    jitAtEnd = jitMs();
                }
            }
            if (step % 100 == 0) {
                progress.accept(step);
            }
            resumed = System.nanoTime();
        }
    }
}
