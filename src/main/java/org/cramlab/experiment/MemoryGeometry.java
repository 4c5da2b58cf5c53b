package org.cramlab.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.cram.CramException;
import org.cramlab.cram.Evaluator;
import org.cramlab.model.CausalLM;
import org.cramlab.cram.Memory;
import org.cramlab.cram.RunRecord;
import org.cramlab.report.Aggregates;
import tech.tablesaw.aggregate.AggregateFunctions;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.Profile;
import org.cramlab.run.RunFolder;
import org.cramlab.run.RunSpec;

/**
 * The paper's Figures 7 and 8, whose code it never published: several solutions (memory vectors from
 * different init seeds) per text. Are solutions for the same text closer to each other than to solutions
 * for other texts (cosine similarity), and is the straight line between two solutions of the same text
 * still a solution (teacher-forced accuracy along the interpolation)?
 *
 * <p>Our reading of the paper's set-up: cosine similarity of the flattened [K, d] memories; intra pairs
 * are all seed pairs of one text, inter pairs all pairs of runs on different texts; interpolation
 * {@code (1 - a) m1 + a m2} at evenly spaced {@code a} in [0, 1] for every seed pair of a text.
 */
public record MemoryGeometry(Profile profile) {

    /** How well memories reconstruct their runs' texts: teacher-forced accuracy, one per (run, memory). */
    @FunctionalInterface
    public interface Reconstruction {
        double[] accuracies(List<RunRecord> runs, List<float[]> memories);
    }

    /** Teacher-forced accuracy of each memory on its run's tokens, in the engine's batches ({@link Evaluator}). */
    public static Reconstruction teacherForced(CausalLM model, int batchSize) {
        Evaluator evaluator = new Evaluator(model, batchSize);
        return (runs, memories) -> {
            List<Evaluator.Item> items = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                RunRecord r = runs.get(i);
                items.add(new Evaluator.Item(r.text().tokenIds(), memories.get(i), r.settings().nMem()));
            }
            return evaluator.score(items).stream().mapToDouble(Evaluator.Score::accuracy).toArray();
        };
    }

    /** geometryTexts natural texts x geometrySeeds init seeds (distinct for every run), at geometryLength tokens, K = 1. */
    public ExperimentPlan plan() {
        List<RunSpec> runs = new ArrayList<>();
        for (String dir : profile.modelDirs()) {
            for (int t = 0; t < profile.geometryTexts(); t++) {
                for (int s = 0; s < profile.geometrySeeds(); s++) {
                    // Every run its own init seed: runs on different texts sharing an init would look alike
                    // (high inter-text cosine) merely because the memory starts at the same point.
                    runs.add(new RunSpec(dir, Profile.modelId(dir), Plans.naturalText(profile, t), profile.geometryLength(), 1,
                            profile.seed() + 1000L * t + s, profile.settings()));
                }
            }
        }
        return new ExperimentPlan("memory-geometry", runs);
    }

    /** The best memory of a run, flattened [K * d], read from the run folder (tensor "memory"). */
    public static float[] readMemory(Path runFolder, RunRecord run) {
        Path file = runFolder.resolve(run.memoryFile() != null ? run.memoryFile() : RunFolder.relativeMemoryFile(run.runId()));
        try {
            return Memory.load(file, run.settings().nMem(), run.environment().hiddenSize());
        } catch (CramException e) {
            throw new ExperimentException("memory of run " + run.runId() + ": " + e.getMessage(), e);
        }
    }

    /** {@link #readMemory} for each run, in order. */
    public static Map<RunRecord, float[]> readMemories(Path runFolder, List<RunRecord> runs) {
        Map<RunRecord, float[]> out = new LinkedHashMap<>();
        for (RunRecord r : runs) out.put(r, readMemory(runFolder, r));
        return out;
    }

    /** Cosine similarity of two flattened memories. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new ExperimentException("memories differ in size: " + a.length + " vs " + b.length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /**
     * Every pair of runs of one model: kind ("same text" or "different texts"), run ids, text ids and
     * cosine similarity.
     */
    public static Table cosineSimilarities(Map<RunRecord, float[]> memories) {
        StringColumn kind = StringColumn.create("kind"), a = StringColumn.create("run_a"), b = StringColumn.create("run_b"),
                ta = StringColumn.create("text_a"), tb = StringColumn.create("text_b");
        DoubleColumn cos = DoubleColumn.create("cosine");
        List<Map.Entry<RunRecord, float[]>> es = new ArrayList<>(memories.entrySet());
        for (int i = 0; i < es.size(); i++) {
            for (int j = i + 1; j < es.size(); j++) {
                RunRecord x = es.get(i).getKey(), y = es.get(j).getKey();
                if (!x.settings().modelId().equals(y.settings().modelId())) continue;
                kind.append(x.text().textId().equals(y.text().textId()) ? "same text" : "different texts");
                a.append(x.runId());
                b.append(y.runId());
                ta.append(x.text().textId());
                tb.append(y.text().textId());
                cos.append(cosine(es.get(i).getValue(), es.get(j).getValue()));
            }
        }
        return Table.create("cosine similarity of memories", kind, cos, ta, tb, a, b);
    }

    /** {@code points} evenly spaced values from 0 to 1. */
    public static double[] alphas(int points) {
        double[] a = new double[points];
        for (int i = 0; i < points; i++) a[i] = (double) i / (points - 1);
        return a;
    }

    /** {@code (1 - alpha) * a + alpha * b}. */
    public static float[] interpolate(float[] a, float[] b, double alpha) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = (float) ((1 - alpha) * a[i] + alpha * b[i]);
        return out;
    }

    /**
     * Teacher-forced accuracy along the line between every pair of solutions of the same text:
     * model_id, text_id, pair ("runA-runB"), point, alpha, accuracy. All points go to
     * {@code reconstruction} in one call (one batched engine pass).
     */
    public static Table interpolation(Map<RunRecord, float[]> memories, int points, Reconstruction reconstruction) {
        StringColumn model = StringColumn.create("model_id"), text = StringColumn.create("text_id"),
                pair = StringColumn.create("pair");
        DoubleColumn alpha = DoubleColumn.create("alpha");
        IntColumn step = IntColumn.create("point");
        List<RunRecord> runs = new ArrayList<>();
        List<float[]> mems = new ArrayList<>();
        List<Map.Entry<RunRecord, float[]>> es = new ArrayList<>(memories.entrySet());
        double[] as = alphas(points);
        for (int i = 0; i < es.size(); i++) {
            for (int j = i + 1; j < es.size(); j++) {
                RunRecord x = es.get(i).getKey(), y = es.get(j).getKey();
                if (!x.settings().modelId().equals(y.settings().modelId()) || !x.text().textId().equals(y.text().textId())) continue;
                for (int p = 0; p < as.length; p++) {
                    model.append(x.settings().modelId());
                    text.append(x.text().textId());
                    pair.append(x.runId() + "-" + y.runId());
                    step.append(p);
                    alpha.append(as[p]);
                    runs.add(x);
                    mems.add(interpolate(es.get(i).getValue(), es.get(j).getValue(), as[p]));
                }
            }
        }
        DoubleColumn acc = DoubleColumn.create("accuracy", runs.isEmpty() ? new double[0] : reconstruction.accuracies(runs, mems));
        return Table.create("accuracy along interpolations", model, text, pair, step, alpha, acc);
    }

    /**
     * {@link #interpolation(Map, int, Reconstruction)} between the solutions in {@code records} (runs whose
     * best accuracy reaches {@link Aggregates#LOSSLESS}: the paper's Figure 8 walks between two memories that
     * both decode the text; a line from a memory that does not says nothing about the set of solutions), per
     * model: loads each model once from its directory (as named in {@code plan}), reads the saved memories
     * from the run folder and evaluates all points in batches of {@code batchSize}. No two solutions of one
     * text: an empty table (the summary's {@code pairs} column counts the pairs).
     */
    public static Table interpolation(Path runFolder, ExperimentPlan plan, List<RunRecord> records, int points, int batchSize) {
        Map<String, String> dirs = new LinkedHashMap<>();
        plan.runs().forEach(r -> dirs.putIfAbsent(r.modelId(), r.modelDir()));
        Table all = interpolation(Map.of(), points, (runs, memories) -> new double[0]);
        for (Map.Entry<String, String> m : dirs.entrySet()) {
            List<RunRecord> mine = records.stream().filter(r -> r.settings().modelId().equals(m.getKey())
                    && r.metrics().bestAccuracy() >= Aggregates.LOSSLESS).toList();
            if (mine.size() < 2) continue;
            try (CausalLM model = org.cramlab.model.Models.load(Path.of(m.getValue()))) {
                all = all.append(interpolation(readMemories(runFolder, mine), points, teacherForced(model, batchSize)));
            }
        }
        return all;
    }

    /** Mean, min and max accuracy per (model, alpha) over all pairs (the paper's line and grey band). */
    public static Table interpolationSummary(Table interpolation) {
        StringColumn model = StringColumn.create("model_id");
        DoubleColumn alpha = DoubleColumn.create("alpha"), mean = DoubleColumn.create("mean_accuracy"),
                min = DoubleColumn.create("min_accuracy"), max = DoubleColumn.create("max_accuracy");
        IntColumn pairs = IntColumn.create("pairs");
        Map<String, Map<Double, List<Double>>> groups = new java.util.TreeMap<>();
        for (int i = 0; i < interpolation.rowCount(); i++) {
            groups.computeIfAbsent(interpolation.stringColumn("model_id").get(i), k -> new java.util.TreeMap<>())
                    .computeIfAbsent(interpolation.doubleColumn("alpha").get(i), k -> new ArrayList<>())
                    .add(interpolation.doubleColumn("accuracy").get(i));
        }
        groups.forEach((m, byAlpha) -> byAlpha.forEach((a, accs) -> {
            model.append(m);
            alpha.append(a);
            mean.append(accs.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
            min.append(accs.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
            max.append(accs.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
            pairs.append(accs.size());
        }));
        return Table.create("accuracy along interpolations, mean / min / max over pairs", model, alpha, mean, min, max, pairs);
    }

    /** Runs whose best accuracy reaches the paper's lossless threshold ({@link Aggregates#LOSSLESS}). */
    public static long solved(List<RunRecord> records) {
        return records.stream().filter(r -> r.metrics().bestAccuracy() >= Aggregates.LOSSLESS).count();
    }

    /** Mean, std and count of the cosine similarities per kind (intra-text, inter-text). */
    public static Table cosineSummary(Table cosine) {
        return cosine.summarize("cosine", AggregateFunctions.mean, AggregateFunctions.stdDev, AggregateFunctions.count)
                .by("kind");
    }
}
