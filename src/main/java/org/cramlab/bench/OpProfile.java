package org.cramlab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.RunListener;
import org.cramlab.model.CausalLM;

/**
 * libtorch's profiler over a few engine steps (forward, loss, backward nodes, AdamW; batch of one, K = 1):
 * the ops per step ({@code --count-ops}, a count that means the same on a loaded machine) and the self
 * time per op name ({@code --profile}: an op's time minus that of the ops it runs inside, as
 * torch.profiler's "self CPU" column, so the reference's table compares name by name).
 *
 * @param spans the trace's complete events, sorted by thread, start, and the enclosing one first
 * @param steps the steps profiled
 * @param wallMs the profiled steps' wall time, ms (NaN when not measured)
 */
public record OpProfile(List<Span> spans, int steps, double wallMs) {

    /** The row that {@link #selfTimes} adds for the step's time outside every op (Java, JNI, Python, waiting). */
    public static final String OUTSIDE_OPS = "(outside any op)";

    /** One complete trace event: op name, thread, start and duration in microseconds. */
    public record Span(String name, String thread, double start, double duration) {

        double end() {
            return start + duration;
        }
    }

    /**
     * One op name's share of a step.
     *
     * @param name the libtorch op (e.g. {@code aten::mm}, {@code MmBackward0}, {@code forward} for a
     *     TorchScript call)
     * @param callsPerStep calls per step
     * @param selfMsPerStep time per step inside the op but outside the ops it called, ms
     */
    public record Row(String name, double callsPerStep, double selfMsPerStep) {}

    public OpProfile {
        spans = sorted(spans);
        if (steps < 1) {
            throw new BenchException("an op profile needs steps >= 1, got " + steps);
        }
    }

    /** Profiles {@code steps} engine steps at {@code ids} (K = 1) after {@code warmup} untimed ones. */
    public static OpProfile record(CausalLM model, int[] ids, int warmup, int steps) {
        return record(model, ids, warmup, steps, () -> { });
    }

    /**
     * As {@link #record(CausalLM, int[], int, int)}, running {@code afterEachStep} (e.g. one profiled reference
     * step, so that both sides see the same load) after each profiled step, outside the profile: the profiler
     * writes one trace per step.
     */
    public static OpProfile record(CausalLM model, int[] ids, int warmup, int steps, Runnable afterEachStep) {
        if (warmup < 1 || steps < 1) {
            throw new BenchException("op profile needs warmup >= 1 and steps >= 1, got " + warmup + " and " + steps);
        }
        Path trace;
        try {
            trace = Files.createTempFile("cramlab-ops-", ".json");
        } catch (IOException e) {
            throw new BenchException("cannot create a temporary file for the op trace: " + e.getMessage(), e);
        }
        try {
            List<Span> all = new ArrayList<>();
            long[] wallNs = new long[2]; // {sum over the profiled steps, start of the current one}
            RunListener profile = new RunListener() {
                @Override
                public void onUpdate(CramTask task, int step, NDArray memory) {
                    if (step > warmup && step <= warmup + steps) {
                        wallNs[0] += System.nanoTime() - wallNs[1];
                        JniUtils.stopProfile(trace.toString());
                        all.addAll(after(all, read(trace)));
                        afterEachStep.run();
                    }
                    if (step >= warmup && step < warmup + steps) {
                        JniUtils.startProfile(false, false, false);
                        wallNs[1] = System.nanoTime();
                    }
                }
            };
            new BatchedCrammer(model, StepBench.endless(warmup + steps, 1)).run(List.of(CramTask.ofIds(ids, 1)), profile);
            return new OpProfile(all, steps, wallNs[0] / 1e6);
        } catch (RuntimeException e) {
            throw new BenchException("op profile failed (libtorch profiler trace " + trace + "): " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(trace);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }

    private static List<Span> read(Path trace) {
        try {
            JsonElement root = JsonParser.parseString(Files.readString(trace));
            return spans(root.isJsonArray() ? root.getAsJsonArray() : root.getAsJsonObject().getAsJsonArray("traceEvents"));
        } catch (IOException e) {
            throw new BenchException("cannot read the libtorch profiler trace " + trace + ": " + e.getMessage(), e);
        }
    }

    /** {@code next} shifted to start after every span of {@code before} (each trace has its own clock origin). */
    static List<Span> after(List<Span> before, List<Span> next) {
        if (before.isEmpty()) {
            return next;
        }
        double end = before.stream().mapToDouble(Span::end).max().orElse(0);
        double shift = end + 1 - next.stream().mapToDouble(Span::start).min().orElse(0);
        return next.stream().map(s -> new Span(s.name(), s.thread(), s.start() + shift, s.duration())).toList();
    }

    /**
     * The reference's self time per op name (torch.profiler, {@code torch_reference_step.py}'s {@code profile}
     * request) over {@code steps} steps on {@code ids}; its first request for these ids runs {@code warmup} steps.
     */
    public static List<Row> reference(TorchReference torch, int[] ids, int warmup, int steps) {
        JsonObject req = TorchReference.cellRequest(ids, warmup);
        req.addProperty("profile", steps);
        JsonObject res = torch.request(req, "the op profile at L = " + ids.length);
        if (!res.has("ops")) {
            throw new BenchException("the torch reference answered the op profile at L = " + ids.length
                    + " without \"ops\" (an older torch_reference_step.py?): " + res);
        }
        List<Row> rows = new ArrayList<>();
        for (JsonElement e : res.getAsJsonArray("ops")) {
            JsonObject o = e.getAsJsonObject();
            rows.add(new Row(o.get("name").getAsString(), o.get("calls").getAsDouble(), o.get("self_ms").getAsDouble()));
        }
        if (res.has("step_ms")) {
            double inOps = rows.stream().mapToDouble(Row::selfMsPerStep).sum();
            rows.add(new Row(OUTSIDE_OPS, 0, Math.max(0, res.get("step_ms").getAsDouble() - inOps)));
            rows.sort(Comparator.comparingDouble(Row::selfMsPerStep).reversed());
        }
        return rows;
    }

    /** The mean per step of several profiles' rows (e.g. one reference step each), the largest self time first. */
    public static List<Row> mean(List<List<Row>> profiles) {
        Map<String, double[]> byName = new LinkedHashMap<>(); // name -> {calls, self ms}
        for (List<Row> rows : profiles) {
            for (Row r : rows) {
                double[] acc = byName.computeIfAbsent(r.name(), k -> new double[2]);
                acc[0] += r.callsPerStep();
                acc[1] += r.selfMsPerStep();
            }
        }
        List<Row> out = new ArrayList<>();
        byName.forEach((name, acc) -> out.add(new Row(name, acc[0] / profiles.size(), acc[1] / profiles.size())));
        out.sort(Comparator.comparingDouble(Row::selfMsPerStep).reversed());
        return out;
    }

    /** The complete events ({@code ts} and {@code dur}) of a Chrome trace, sorted as {@link #spans} says. */
    static List<Span> spans(JsonArray events) {
        List<Span> out = new ArrayList<>();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("ts") && o.has("dur")) {
                out.add(new Span(o.has("name") ? o.get("name").getAsString() : "?",
                        o.has("tid") ? o.get("tid").getAsString() : "", o.get("ts").getAsDouble(), o.get("dur").getAsDouble()));
            }
        }
        return sorted(out);
    }

    private static List<Span> sorted(List<Span> spans) {
        List<Span> out = new ArrayList<>(spans);
        out.sort(Comparator.comparing(Span::thread).thenComparingDouble(Span::start)
                .thenComparingDouble(s -> -s.duration()));
        return List.copyOf(out);
    }

    /** Ops per step that no other op of the same thread encloses (an op's internal calls are not counted). */
    public double opsPerStep() {
        int n = 0;
        Map<String, Double> openUntil = new HashMap<>();
        for (Span s : spans) {
            Double end = openUntil.get(s.thread());
            if (end == null || s.start() >= end) {
                n++;
                openUntil.put(s.thread(), s.end());
            }
        }
        return n / (double) steps;
    }

    /**
     * Every op name's calls and self time per step, the largest self time first, and (when the wall time was
     * measured) a row {@link #OUTSIDE_OPS} with the rest of the step's wall time: the rows add up to the step.
     */
    public List<Row> selfTimes() {
        double[] self = new double[spans.size()]; // duration minus the direct children's, by index
        Deque<Integer> open = new ArrayDeque<>();
        String thread = null;
        for (int i = 0; i < spans.size(); i++) {
            Span s = spans.get(i);
            if (!s.thread().equals(thread)) {
                open.clear();
                thread = s.thread();
            }
            while (!open.isEmpty() && s.start() >= spans.get(open.peek()).end()) {
                open.pop();
            }
            if (!open.isEmpty()) {
                self[open.peek()] -= s.duration();
            }
            self[i] += s.duration();
            open.push(i);
        }
        Map<String, double[]> byName = new LinkedHashMap<>(); // name -> {calls, self us}
        for (int i = 0; i < spans.size(); i++) {
            double[] acc = byName.computeIfAbsent(spans.get(i).name(), k -> new double[2]);
            acc[0]++;
            acc[1] += Math.max(0, self[i]);
        }
        List<Row> rows = new ArrayList<>();
        byName.forEach((name, acc) -> rows.add(new Row(name, acc[0] / steps, acc[1] / 1000 / steps)));
        if (!Double.isNaN(wallMs)) {
            double inOps = rows.stream().mapToDouble(Row::selfMsPerStep).sum();
            rows.add(new Row(OUTSIDE_OPS, 0, Math.max(0, wallMs / steps - inOps)));
        }
        rows.sort(Comparator.comparingDouble(Row::selfMsPerStep).reversed());
        return rows;
    }
}
