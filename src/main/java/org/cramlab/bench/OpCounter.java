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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.RunListener;
import org.cramlab.model.CausalLM;

/**
 * Counts the libtorch ops one engine step dispatches (forward, loss, backward nodes, AdamW), with
 * libtorch's own profiler: a count, not a time, so it means the same on a loaded machine. An op
 * counts once however many ops it runs inside (a matmul's internal reshapes are not counted).
 */
public final class OpCounter {

    private OpCounter() {}

    /** Ops per step of the engine with a batch of one at {@code ids} (K = 1), over {@code steps} steps after {@code warmup}. */
    public static double perStep(CausalLM model, int[] ids, int warmup, int steps) {
        if (warmup < 1 || steps < 1) {
            throw new BenchException("op count needs warmup >= 1 and steps >= 1, got " + warmup + " and " + steps);
        }
        Path trace;
        try {
            trace = Files.createTempFile("cramlab-ops-", ".json");
        } catch (IOException e) {
            throw new BenchException("cannot create a temporary file for the op trace: " + e.getMessage(), e);
        }
        try {
            RunListener profile = new RunListener() {
                @Override
                public void onUpdate(CramTask task, int step, NDArray memory) {
                    if (step == warmup) {
                        JniUtils.startProfile(false, false, false);
                    } else if (step == warmup + steps) {
                        JniUtils.stopProfile(trace.toString());
                    }
                }
            };
            new BatchedCrammer(model, StepBench.endless(warmup + steps, 1)).run(List.of(CramTask.ofIds(ids, 1)), profile);
            JsonElement root = JsonParser.parseString(Files.readString(trace));
            JsonArray events = root.isJsonArray() ? root.getAsJsonArray() : root.getAsJsonObject().getAsJsonArray("traceEvents");
            return topLevel(events) / (double) steps;
        } catch (IOException | RuntimeException e) {
            throw new BenchException("op count failed (libtorch profiler trace " + trace + "): " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(trace);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }

    /**
     * Number of complete events ({@code ts} and {@code dur}) of a Chrome trace that are not nested
     * in another event of the same thread.
     */
    static int topLevel(JsonArray events) {
        List<JsonObject> spans = new ArrayList<>();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("ts") && o.has("dur")) {
                spans.add(o);
            }
        }
        // by start, the longer (enclosing) one first when two start together
        spans.sort(Comparator.comparingDouble((JsonObject o) -> o.get("ts").getAsDouble())
                .thenComparingDouble(o -> -o.get("dur").getAsDouble()));
        Map<String, Double> openUntil = new HashMap<>();
        int n = 0;
        for (JsonObject o : spans) {
            String thread = o.has("tid") ? o.get("tid").getAsString() : "";
            double start = o.get("ts").getAsDouble();
            Double end = openUntil.get(thread);
            if (end == null || start >= end) {
                n++;
                openUntil.put(thread, start + o.get("dur").getAsDouble());
            }
        }
        return n;
    }
}
