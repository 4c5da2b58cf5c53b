package org.cramlab.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.BlockPath;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LoadOptions;
import org.cramlab.model.Models;

/**
 * {@code bench paths}: cramlab's step on its own block paths ({@link BlockPath}: explicit ops, fused blocks,
 * fused layer), the model loaded once per path in one JVM, timed in alternating rounds (a few steps per path
 * per round, the order rotating) after warm-up, so that machine load hits every path alike. Per length and
 * path: the median step time and the ratio to the first path, paired round by round (median and quartiles
 * of the per-round ratios). No PyTorch side: {@code bench} compares with PyTorch.
 */
public final class PathBench {

    /**
     * What to run.
     *
     * @param modelDir the model every path loads
     * @param paths block paths, the first the baseline of the ratios
     * @param attention the attention path of every model
     * @param lengths text lengths L (K = 1), run in the order given
     * @param warmup untimed steps per path before the first length's rounds
     * @param lengthWarmup untimed steps per path before each later length's rounds
     * @param rounds paired rounds per length
     * @param steps timed steps per path per round (the round's time is their median)
     * @param countOps also count libtorch ops per step of each path (profiler)
     * @param seed seed of the random token ids
     */
    public record Options(Path modelDir, List<BlockPath> paths, AttentionPath attention, List<Integer> lengths,
            int warmup, int lengthWarmup, int rounds, int steps, boolean countOps, long seed) {
        public Options {
            if (paths.size() < 2 || paths.stream().distinct().count() != paths.size()) {
                throw new BenchException("--paths needs two or more different block paths, got " + paths);
            }
            if (lengths.isEmpty() || lengths.stream().anyMatch(l -> l < 1)) {
                throw new BenchException("--lengths must be >= 1, got " + lengths);
            }
            if (warmup < 1 || lengthWarmup < 1 || rounds < 1 || steps < 1) {
                throw new BenchException("--warmup, --length-warmup, --rounds and --steps must be >= 1, got " + warmup
                        + ", " + lengthWarmup + ", " + rounds + ", " + steps);
            }
        }
    }

    /** One path at one length: per-round median step times and ratios to the baseline path. */
    record Result(int length, BlockPath path, List<Double> roundMs, List<Double> ratios, double opsPerStep) {}

    private PathBench() {}

    /** Runs every length on every path; progress goes to {@code log}. */
    public static BenchReport run(Options o, PrintWriter log) {
        BenchReport report = new BenchReport();
        report.note("load average at start: " + Bench.loadAverage());
        Map<BlockPath, CausalLM> models = new LinkedHashMap<>();
        List<Result> results = new ArrayList<>();
        int longest = 1 + o.lengths().stream().mapToInt(Integer::intValue).max().orElse(0);
        RaisedPositions raised = longest > HfConfig.read(o.modelDir()).optInt("max_position_embeddings", Integer.MAX_VALUE)
                ? RaisedPositions.of(o.modelDir(), longest) : null;
        Path dir = raised == null ? o.modelDir() : raised.dir();
        try {
            if (raised != null) {
                report.note("positions: a copy of the model with " + longest + " (rotary: the step's work at L is that of a"
                        + " model trained that long)");
            }
            for (BlockPath p : o.paths()) {
                models.put(p, Models.load(dir, LoadOptions.builder().optAttention(o.attention()).optBlocks(p).build()));
            }
            CausalLM any = models.values().iterator().next();
            for (int l : o.lengths()) {
                if (1 + l > any.info().maxPositions()) {
                    report.note("L = " + l + " skipped: K + L exceeds the model's " + any.info().maxPositions() + " positions");
                    continue;
                }
                results.addAll(length(o, models, l, results.isEmpty() ? o.warmup() : o.lengthWarmup(), log));
            }
        } finally {
            models.values().forEach(CausalLM::close);
            if (raised != null) {
                raised.close();
            }
        }
        PathTable.add(report, o, results);
        report.note(String.format(Locale.ROOT, "model: %s, K = 1, attention %s, %s threads; %d warm-up steps per path"
                + " (then %d per later length), %d rounds of %d steps per path, the order rotating", o.modelDir().getFileName(),
                o.attention().name().toLowerCase(Locale.ROOT), System.getProperty("ai.djl.pytorch.num_threads", "?"),
                o.warmup(), o.lengthWarmup(), o.rounds(), o.steps()));
        report.note("load average at end: " + Bench.loadAverage());
        return report;
    }

    private static List<Result> length(Options o, Map<BlockPath, CausalLM> models, int l, int warmup, PrintWriter log) {
        int[] ids = BatchBench.randomIds(models.values().iterator().next().info().vocabSize(), l, o.seed() + l);
        List<BlockPath> paths = o.paths();
        for (BlockPath p : paths) {
            progress(log, "paths L=%d: %d warm-up steps on %s", l, warmup, name(p));
            StepBench.run(models.get(p), ids, new StepBench.Plan(warmup, 1, 1, warmup + 1, 0), null);
        }
        Map<BlockPath, List<Double>> ms = new LinkedHashMap<>();
        paths.forEach(p -> ms.put(p, new ArrayList<>()));
        StepBench.Plan round = new StepBench.Plan(1, o.steps(), 1, o.steps() + 1, 0);
        for (int r = 0; r < o.rounds(); r++) {
            for (int j = 0; j < paths.size(); j++) {
                BlockPath p = paths.get((r + j) % paths.size());
                ms.get(p).add(StepBench.run(models.get(p), ids, round, null).cramlab().median());
            }
            if ((r + 1) % 10 == 0 || r + 1 == o.rounds()) {
                progress(log, "paths L=%d: round %d/%d", l, r + 1, o.rounds());
            }
        }
        List<Double> base = ms.get(paths.get(0));
        List<Result> out = new ArrayList<>();
        for (BlockPath p : paths) {
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < o.rounds(); r++) {
                ratios.add(ms.get(p).get(r) / base.get(r));
            }
            double ops = o.countOps() ? OpProfile.record(models.get(p), ids, 5, 5).opsPerStep() : Double.NaN;
            out.add(new Result(l, p, ms.get(p), ratios, ops));
        }
        return out;
    }

    /** A path's name as {@code CRAMLAB_BLOCKS} spells it. */
    static String name(BlockPath p) {
        return p.name().toLowerCase(Locale.ROOT);
    }

    private static void progress(PrintWriter log, String format, Object... args) {
        log.printf(Locale.ROOT, format + "%n", args);
        log.flush();
    }
}
