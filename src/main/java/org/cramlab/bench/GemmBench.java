package org.cramlab.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.cramlab.model.BlasThreads;

/**
 * {@code bench gemm}: the matmuls of a linear layer alone, in DJL's libtorch and in the reference tree's
 * torch ({@code environment/bench/torch_gemm.py}), paired round by round at the same thread count. The
 * forward is {@code linear(x[T, d_in], W[d_out, d_in])}, the backward the activation gradient
 * {@code dy[T, d_out] · W} (cramming freezes the weights: no weight gradient). Launch-time knobs of the
 * BLAS (MKL_*, OMP_*, the allocator) are compared by running this under each setting: the ratio to the
 * unchanged reference of the same run is what carries over between runs on a shared machine.
 */
public final class GemmBench {

    /**
     * What to run.
     *
     * @param models model shapes ({@link GemmShape#MODEL_LENGTHS})
     * @param threads intra-op threads of both sides
     * @param rounds paired rounds per shape (the side going first alternates)
     * @param roundMs wall time one side spends per round, which sets the calls per round (at least 1)
     * @param torch whether to run the reference
     * @param tree the reference tree (null: $CRAMLAB_HF_REF)
     * @param script {@code torch_gemm.py}
     */
    public record Options(List<String> models, int threads, int rounds, double roundMs, boolean torch, Path tree,
            Path script) {
        public Options {
            if (rounds < 1 || !(roundMs > 0)) {
                throw new BenchException("--rounds must be >= 1 and --round-ms > 0, got " + rounds + " and "
                        + roundMs);
            }
            models.forEach(m -> GemmShape.of(m, List.of(1)));
        }
    }

    /** Forward or backward of one shape, each side's per-call times. */
    public record Result(GemmShape shape, String op, Timing cramlab, Timing torch) {
        double ratio() {
            return Timing.ratio(cramlab, torch);
        }
    }

    /** Environment variables that change the BLAS or threading of DJL's libtorch (printed with the table). */
    private static final List<String> KNOB_PREFIXES = List.of("MKL_", "OMP_", "KMP_", "DNNL_", "ONEDNN_", "LD_PRELOAD");

    private GemmBench() {}

    /** Runs every shape of the options' models; progress goes to {@code log}. */
    public static BenchReport run(Options o, PrintWriter log) {
        BenchReport report = new BenchReport();
        report.note("cramlab: DJL libtorch, " + o.threads() + " intra-op threads, BLAS " + BlasThreads.summary() + "; " + knobs());
        report.note("load average at start: " + Bench.loadAverage());
        TorchReference torch = openTorch(o, report);
        List<Result> results = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (String model : o.models()) {
                for (GemmShape s : GemmShape.of(model, GemmShape.MODEL_LENGTHS.get(model))) {
                    for (String op : List.of("forward", "backward")) {
                        Result r = measure(manager, s, op, o, torch);
                        log.printf(Locale.ROOT, "gemm %s %s T=%d %s %s: cramlab %.3f ms, torch %s%n", model, s.layer(),
                                s.t(), s.dims(), op, r.cramlab().median(),
                                r.torch() == null ? "skipped" : BenchReport.fmt(r.torch().median(), 3) + " ms");
                        log.flush();
                        results.add(r);
                    }
                }
            }
        } finally {
            if (torch != null) {
                torch.close();
            }
        }
        GemmTable.add(report, results);
        report.note("load average at end: " + Bench.loadAverage());
        return report;
    }

    private static TorchReference openTorch(Options o, BenchReport report) {
        if (!o.torch()) {
            report.note("torch: off (--no-torch)");
            return null;
        }
        Path tree = TorchReference.tree(o.tree());
        String why = TorchReference.unavailableReason(tree, o.script());
        if (why != null) {
            report.note("torch: skipped, " + why);
            return null;
        }
        TorchReference t = TorchReference.gemm(tree, o.script(), o.threads());
        report.note("torch: " + t.header.get("torch_version").getAsString() + ", " + t.header.get("threads").getAsInt()
                + " threads, CPU capability " + t.header.get("cpu_capability").getAsString() + ", "
                + t.header.get("config").getAsString() + "; paired with cramlab round by round");
        return t;
    }

    private static Result measure(NDManager parent, GemmShape s, String op, Options o, TorchReference torch) {
        boolean forward = op.equals("forward");
        try (NDManager m = parent.newSubManager()) {
            NDArray w = m.randomNormal(0f, 0.02f, new Shape(s.dOut(), s.dIn()), DataType.FLOAT32);
            NDArray x = m.randomNormal(0f, 1f, new Shape(s.t(), forward ? s.dIn() : s.dOut()), DataType.FLOAT32);
            call(x, w, forward); // kernel selection, first touch
            double once = call(x, w, forward);
            int reps = (int) Math.max(1, Math.min(200, Math.ceil(o.roundMs() / Math.max(once, 1e-3))));
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            for (int round = 0; round < o.rounds(); round++) {
                boolean torchFirst = round % 2 == 1;
                if (torchFirst && torch != null) {
                    theirs.addAll(torchCalls(torch, s, op, reps));
                }
                for (int i = 0; i < reps; i++) {
                    ours.add(call(x, w, forward));
                }
                if (!torchFirst && torch != null) {
                    theirs.addAll(torchCalls(torch, s, op, reps));
                }
            }
            return new Result(s, op, Timing.of(ours), theirs.isEmpty() ? null : Timing.of(theirs));
        }
    }

    /** One call's milliseconds, the result freed inside the span (as Python's refcount frees torch's). */
    private static double call(NDArray x, NDArray w, boolean forward) {
        long t0 = System.nanoTime();
        try (NDArray y = forward ? x.getNDArrayInternal().linear(x, w, null).singletonOrThrow() : x.matMul(w)) {
            y.getShape(); // the op has run: libtorch's CPU ops are synchronous
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static List<Double> torchCalls(TorchReference torch, GemmShape s, String op, int reps) {
        JsonObject req = new JsonObject();
        req.addProperty("op", op);
        req.addProperty("t", s.t());
        req.addProperty("d_in", s.dIn());
        req.addProperty("d_out", s.dOut());
        req.addProperty("reps", reps);
        JsonArray times = torch.request(req, "gemm " + s.dims() + " T = " + s.t()).getAsJsonArray("times_ms");
        List<Double> ms = new ArrayList<>();
        times.forEach(e -> ms.add(e.getAsDouble()));
        return ms;
    }

    /** The knob variables set in this process, e.g. "MKL_ENABLE_INSTRUCTIONS=AVX2", or "no BLAS knobs set". */
    static String knobs() {
        Map<String, String> set = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (KNOB_PREFIXES.stream().anyMatch(k::startsWith)) {
                set.put(k, v);
            }
        });
        return set.isEmpty() ? "no BLAS/threading knobs set in the environment" : "environment " + set;
    }
}
