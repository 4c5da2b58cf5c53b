package org.cramlab.experiment;

import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cramlab.core.Json;

/**
 * A grid of runs. The notebooks and the {@code sweep} command build and read plans the same way; a plan
 * file is this record as indented JSON.
 *
 * @param name the experiment's name (e.g. capacity-vs-length)
 * @param runs the runs, each with a stable {@link RunSpec#runId()}; ids are unique within a plan
 */
public record ExperimentPlan(String name, List<RunSpec> runs) {

    public ExperimentPlan {
        if (runs == null) throw new ExperimentException("plan '" + name + "' has no 'runs' array");
        runs = List.copyOf(runs);
        Set<String> seen = new HashSet<>();
        for (RunSpec r : runs) {
            if (!seen.add(r.runId())) {
                throw new ExperimentException("plan '" + name + "' lists run " + r.runId() + " twice (" + r.text().id()
                        + ", L=" + r.length() + ", K=" + r.nMem() + ", seed " + r.seed() + ")");
            }
        }
    }

    /** The runs whose ids are not in {@code done}, in plan order. */
    public List<RunSpec> missing(Set<String> done) {
        return runs.stream().filter(r -> !done.contains(r.runId())).toList();
    }

    /**
     * Shard {@code index} of {@code count} (0-based): the runs whose id, read as a number, is {@code index}
     * modulo {@code count}. Assignment depends on ids only, so any count works and shards never overlap.
     */
    public List<RunSpec> shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new ExperimentException("shard must be i/n with 0 <= i < n, got " + index + "/" + count);
        }
        List<RunSpec> out = new ArrayList<>();
        for (RunSpec r : runs) {
            if (Long.remainderUnsigned(Long.parseUnsignedLong(r.runId(), 16), count) == index) out.add(r);
        }
        return out;
    }

    /** Writes the plan as indented JSON. */
    public void save(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, Json.PRETTY.toJson(this), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ExperimentException("cannot write plan file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a plan file written by {@link #save}. */
    public static ExperimentPlan load(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ExperimentException("cannot read plan file " + file + ": " + e.getMessage(), e);
        }
        try {
            ExperimentPlan plan = Json.COMPACT.fromJson(json, ExperimentPlan.class);
            if (plan == null) throw new ExperimentException("plan file " + file + " is empty");
            return plan;
        } catch (JsonParseException e) {
            throw new ExperimentException("plan file " + file + " is not a valid plan (expected {\"name\":..., \"runs\":[...]}): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Gson wraps exceptions thrown by record constructors; surface our validation message.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ExperimentException x) throw new ExperimentException("plan file " + file + ": " + x.getMessage(), x);
            }
            throw e;
        }
    }
}
