package org.cramlab.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cramlab.capacity.InMemorySearch;
import org.cramlab.capacity.Strategy;
import org.cramlab.capacity.SearchResult;
import org.cramlab.capacity.SearchText;
import org.cramlab.capacity.SearchTokenizer;
import org.cramlab.capacity.LengthMean;
import org.cramlab.capacity.Repair;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Progress;
import org.cramlab.core.Terminal;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.RunListener;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.ShortStories;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSets;

/**
 * {@code bench capacity}: the capacity strategies on the same model, texts, grid and seed. Per strategy:
 * the paper's capacity, total optimisation steps, wall time, steps relative to {@code grid}, and whether
 * the capacity is grid's within one grid step. Steps are a count, so the ratio does not depend on the
 * machine's load; wall time does (the strategies run one after another in one JVM).
 */
public final class CapacityBench {

    /**
     * What to run.
     *
     * @param modelDir model directory
     * @param texts {@code book} (held-out book chunks of the default corpus) or {@code stories} (cramlab's
     *     short TinyStories-style stories)
     * @param count number of texts
     * @param grid length grid
     * @param nMem K
     * @param gridSettings settings of every grid run (the paper: 5000 steps, patience 2000)
     * @param stageSettings settings of every stage of the staged strategies (their per-stage budget)
     * @param strategies strategies to run; grid is always run first (it is the reference)
     * @param grow tokens per progressive stage
     * @param seed memory-init and text-sampling seed
     * @param restart staged strategies retry a failed warm-started stage once from a random memory
     * @param repair staged strategies repair the capacity boundary with the grid's runs
     *     ({@link Repair}); each prints its row before the repair and after it ({@code +repair})
     * @param reference null, or the CSV of an earlier run on the same model, texts, grid and seed whose
     *     grid row is reused instead of rerunning the (expensive) grid
     */
    public record Options(Path modelDir, String texts, int count, List<Integer> grid, int nMem, CramSettings gridSettings,
            CramSettings stageSettings, List<Strategy> strategies, int grow, long seed, boolean restart, boolean repair, Path reference) {

        public Options {
            if (!texts.equals("book") && !texts.equals("stories")) {
                throw new BenchException("--texts must be book or stories, got '" + texts + "'");
            }
            if (count < 1) throw new BenchException("--count must be >= 1, got " + count);
            if (grid.isEmpty()) throw new BenchException("--grid must name at least one length");
        }
    }

    /**
     * One strategy's line.
     *
     * @param strategy strategy
     * @param capacity capacity found (tokens)
     * @param withinOneGridStep capacity is grid's, or its grid neighbour
     * @param steps optimisation steps
     * @param stepsVsGrid steps / grid's steps
     * @param evaluationForwards forward-only evaluations
     * @param wallSeconds wall time
     * @param meanHorizon mean greedy horizon over the texts (tokens)
     */
    public record Row(String strategy, int capacity, boolean withinOneGridStep, long steps, double stepsVsGrid,
            long evaluationForwards, double wallSeconds, double meanHorizon) {}

    private CapacityBench() {}

    /** The texts of {@code options}, at least {@code max(grid)} tokens each. */
    public static List<SearchText> texts(Options o, TextTokenizer tok) {
        int max = o.grid().stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<SearchText> out = new ArrayList<>();
        if (o.texts().equals("book")) {
            for (TextSample s : TextSets.bookChunks(BookCorpus.load(), tok, max, o.count(), o.seed()).samples()) {
                out.add(new SearchText(s.id(), s.source().id(), s.text()));
            }
        } else {
            List<String> stories = ShortStories.all();
            if (o.count() > stories.size()) {
                throw new BenchException("--count " + o.count() + ": there are " + stories.size() + " stories");
            }
            for (int i = 0; i < o.count(); i++) {
                out.add(new SearchText("story:" + i, "stories", stories.get(i)));
            }
        }
        return out;
    }

    /** Runs grid and the other strategies; progress lines go to {@code err}. */
    public static BenchReport run(Options o, PrintWriter err) {
        BenchReport report = new BenchReport();
        List<Row> results = new ArrayList<>();
        String modelId;
        List<Integer> grid;
        int texts;
        try (CausalLM model = Models.load(o.modelDir()); TextTokenizer tok = TextTokenizer.load(o.modelDir())) {
            modelId = model.info().modelId();
            List<SearchText> t = texts(o, tok);
            texts = t.size();
            InMemorySearch search = InMemorySearch.builder(model, SearchTokenizer.of(tok)).optMem(o.nMem())
                    .optLengths(o.grid()).optGridSettings(o.gridSettings()).optStageSettings(o.stageSettings())
                    .optGrow(o.grow()).optRestartOnFailure(o.restart()).optRepair(o.repair()).build();
            grid = search.grid();
            List<Strategy> order = new ArrayList<>();
            if (o.reference() == null) {
                order.add(Strategy.GRID);
            } else {
                results.add(reference(o.reference(), modelId));
            }
            o.strategies().stream().filter(s -> s != Strategy.GRID).forEach(order::add);
            for (Strategy s : order) {
                err.printf(Locale.ROOT, "bench capacity: %s on %s, %d texts, grid %s%n", s.label(), modelId, t.size(), grid);
                err.flush();
                SearchResult r = search.run(s, t, new StepCounter(err, s.label()));
                if (r.unrepaired() != null) {
                    SearchResult u = r.unrepaired();
                    results.add(row(s.label(), u));
                    err.printf(Locale.ROOT, "%n  %s: capacity %d, %d steps, %.1f s; repaired with %d grid runs:", s.label(),
                            u.capacity(), u.optimisationSteps(), u.wallSeconds(), r.runs().size());
                    for (org.cramlab.cram.RunRecord x : r.runs()) {
                        err.printf(Locale.ROOT, "%n    retry %s L=%d: best accuracy %.4f (before %.4f), %d steps, %s", x.text().textId(),
                                x.text().length(), x.metrics().bestAccuracy(), u.accuracy().get(x.text().textId()).get(x.text().length()),
                                x.trajectory().steps(), x.trajectory().stopReason());
                    }
                }
                String label = r.unrepaired() != null ? s.label() + "+repair" : s.label();
                err.printf(Locale.ROOT, "%n  %s per length (mean best accuracy, texts below 1.0):", label);
                for (LengthMean l : r.lengths()) {
                    List<String> below = r.accuracy().entrySet().stream()
                            .filter(e -> e.getValue().getOrDefault(l.length(), 1.0) < 1.0)
                            .map(e -> String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue().get(l.length()))).toList();
                    err.printf(Locale.ROOT, "%n    L=%d: %.4f%s %s", l.length(), l.meanBestAccuracy(), l.passed() ? " pass" : "", below);
                }
                err.printf(Locale.ROOT, "%n  %s: capacity %d, %d steps, %.1f s%n", label, r.capacity(), r.optimisationSteps(),
                        r.wallSeconds());
                err.flush();
                results.add(row(label, r));
            }
        }
        Row ref = results.get(0);
        List<List<String>> rows = new ArrayList<>();
        List<Row> done = new ArrayList<>();
        for (Row raw : results) {
            Row row = new Row(raw.strategy(), raw.capacity(), within(raw.capacity(), ref.capacity(), grid), raw.steps(),
                    (double) raw.steps() / Math.max(1, ref.steps()), raw.evaluationForwards(), raw.wallSeconds(), raw.meanHorizon());
            done.add(row);
            rows.add(List.of(row.strategy(), String.valueOf(row.capacity()), row.withinOneGridStep() ? "yes" : "no",
                    String.valueOf(row.steps()), String.format(Locale.ROOT, "%.3f", row.stepsVsGrid()),
                    String.valueOf(row.evaluationForwards()), String.format(Locale.ROOT, "%.1f", row.wallSeconds()),
                    String.format(Locale.ROOT, "%.1f", row.meanHorizon())));
            String sec = "capacity";
            report.add(sec, modelId, row.capacity(), 0, row.strategy() + ".capacity", row.capacity(), "tokens");
            report.add(sec, modelId, 0, 0, row.strategy() + ".steps", row.steps(), "steps");
            report.add(sec, modelId, 0, 0, row.strategy() + ".steps_vs_grid", row.stepsVsGrid(), "ratio");
            report.add(sec, modelId, 0, 0, row.strategy() + ".wall", row.wallSeconds(), "s");
            report.add(sec, modelId, 0, 0, row.strategy() + ".mean_horizon", row.meanHorizon(), "tokens");
        }
        report.add(new BenchReport.Table(String.format(Locale.ROOT, "capacity strategies: %s, K=%d, %d %s texts, grid %s, seed %d",
                modelId, o.nMem(), texts, o.texts(), grid, o.seed()),
                List.of("strategy", "capacity", "= grid +-1 step", "opt. steps", "steps / grid", "eval fwd", "wall s",
                        "mean horizon"),
                rows));
        report.note(String.format(Locale.ROOT, "grid runs: lr %.0e, at most %d steps, patience %d; stages: at most %d steps, "
                        + "patience %d, greedy criterion%s, progressive grows by %d from 2 tokens",
                o.gridSettings().optimiser().lr(), o.gridSettings().maxSteps(), o.gridSettings().patience(),
                o.stageSettings().maxSteps(), o.stageSettings().patience(),
                o.restart() ? ", a failed warm stage retried once from a random memory" : "", o.grow()));
        if (o.repair()) {
            report.note("+repair: the staged pass, then the grid's own runs (its budget, from a random memory) for the texts "
                    + "below 1.0 at the failing grid lengths near the boundary (the first failing one and the next, longest "
                    + "first), until a length passes or cannot; decoded repairs continue their stages; all steps counted "
                    + "(the row above each is the same search before its repair)");
        }
        if (o.reference() != null) {
            report.note("grid row reused from " + o.reference() + " (same model, texts, grid and seed; not rerun)");
        }
        Row best = done.stream().skip(1).filter(Row::withinOneGridStep).min(java.util.Comparator.comparingLong(Row::steps))
                .orElse(null);
        if (best == null) {
            report.note("goal (grid's capacity within one grid step for <= 0.1x its steps): no strategy found grid's capacity");
        } else {
            report.note(String.format(Locale.ROOT, "goal (grid's capacity within one grid step for <= 0.1x its steps): %s, "
                    + "best strategy %s at %.3fx", best.stepsVsGrid() <= 0.1 ? "met" : "missed", best.strategy(), best.stepsVsGrid()));
        }
        return report;
    }

    private static Row row(String label, SearchResult r) {
        return new Row(label, r.capacity(), false, r.optimisationSteps(), 0, r.evaluationForwards(), r.wallSeconds(),
                r.horizons().values().stream().mapToInt(Integer::intValue).average().orElse(Double.NaN));
    }

    /** The grid row of an earlier run's CSV ({@code grid.capacity}, {@code grid.steps}, ...). */
    static Row reference(Path csv, String modelId) {
        java.util.Map<String, Double> v = new java.util.HashMap<>();
        try {
            for (String line : java.nio.file.Files.readAllLines(csv)) {
                String[] f = line.split(",");
                if (f.length == 7 && f[0].equals("capacity") && f[4].startsWith("grid.")) {
                    if (!f[1].equals(modelId)) {
                        throw new BenchException("--reference-csv " + csv + " is for model " + f[1] + ", not " + modelId);
                    }
                    v.put(f[4].substring(5), Double.parseDouble(f[5]));
                }
            }
        } catch (java.io.IOException e) {
            throw new BenchException("cannot read --reference-csv " + csv + ": " + e.getMessage(), e);
        }
        for (String k : List.of("capacity", "steps", "wall", "mean_horizon")) {
            if (!v.containsKey(k)) throw new BenchException("--reference-csv " + csv + " has no grid." + k + " row");
        }
        return new Row("grid", (int) Math.round(v.get("capacity")), true, Math.round(v.get("steps")), 1, 0, v.get("wall"),
                v.get("mean_horizon"));
    }

    /** {@code a} and {@code b} are the same grid length or neighbours on the grid (0: below the first length). */
    static boolean within(int a, int b, List<Integer> grid) {
        return Math.abs(grid.indexOf(a) - grid.indexOf(b)) <= 1;
    }

    /**
     * A progress line: total steps so far (a count over all runs in the batch), at most 2 updates a second in
     * place on a terminal, a whole line every {@link Progress#LINE_INTERVAL} on a pipe or file.
     */
    private static final class StepCounter implements ProgressiveCrammer.Listener {
        private static final boolean TERMINAL = Terminal.stderrIsTerminal();
        private final PrintWriter err;
        private final String label;
        private long steps;
        private long shown;

        StepCounter(PrintWriter err, String label) {
            this.err = err;
            this.label = label;
        }

        @Override
        public void onStep(RunListener.Step p) {
            steps++;
            long now = System.nanoTime();
            if (now - shown > (TERMINAL ? 500_000_000L : Progress.LINE_INTERVAL.toNanos())) {
                shown = now;
                err.printf(Locale.ROOT, (TERMINAL ? "\r" : "") + "  %s: %d steps  (%s L=%d step %d)   " + (TERMINAL ? "" : "%n"),
                        label, steps, p.task().textId(), p.task().length(), p.step());
                err.flush();
            }
        }
    }
}
