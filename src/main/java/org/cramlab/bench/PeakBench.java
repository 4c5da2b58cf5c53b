package org.cramlab.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.core.ChildJvm;
import org.cramlab.model.AttentionPath;

/**
 * Peak memory of one optimisation step over the loaded model, cramlab against the PyTorch reference:
 * each side in a fresh process ({@link PeakProbe}, {@code torch_reference_step.py --peak}) loads the
 * model, takes one warm-up step at L = 16, resets VmHWM and takes one step at L; the figure is VmHWM
 * minus VmRSS before that step. Fresh processes, because an allocator that has already served a long
 * step keeps its pages and would hide the next step's peak.
 */
public final class PeakBench {

    /**
     * @param length L
     * @param cramlabKb cramlab's growth with the benchmark's attention path
     * @param explicitKb cramlab's growth on the explicit path (-1 when not measured)
     * @param torchKb the reference's growth (-1 when it did not run)
     */
    public record Result(int length, long cramlabKb, long explicitKb, long torchKb) {

        /** cramlab / torch, NaN without the reference. */
        public double ratio() {
            return torchKb > 0 ? (double) cramlabKb / torchKb : Double.NaN;
        }
    }

    private PeakBench() {}

    /** Measures every peak length that fits the model and adds the table. */
    static void report(Bench.Context c, int vocab, int maxPositions, String name) {
        BenchOptions o = c.options();
        List<Result> results = new ArrayList<>();
        String torchWhy = o.torch ? null : "off (--no-torch)";
        Path tree = TorchReference.tree(o.torchTree);
        if (torchWhy == null && o.gpu) {
            torchWhy = "skipped on --device gpu";
        }
        if (torchWhy == null) {
            torchWhy = TorchReference.unavailableReason(tree, o.torchScript);
        }
        for (int l : o.peakLengths) {
            if (1 + l > maxPositions) {
                c.report().note("peak memory at L = " + l + " skipped: K + L exceeds the model's " + maxPositions
                        + " positions");
                continue;
            }
            int[] ids = BatchBench.randomIds(vocab, l, o.seed + l);
            c.progress("peak memory of one step, L=%d: cramlab (%s)%s%s", l, o.attention.name().toLowerCase(),
                    o.attention == AttentionPath.EXPLICIT ? "" : ", cramlab (explicit)", torchWhy == null ? ", torch" : "");
            long ours = growth(probe(c.modelDir(), o.attention, ids, o.threads));
            long explicit = o.attention == AttentionPath.EXPLICIT ? -1
                    : growth(probe(c.modelDir(), AttentionPath.EXPLICIT, ids, o.threads));
            long theirs = -1;
            if (torchWhy == null) {
                try {
                    theirs = growth(TorchReference.peak(tree, o.torchScript, c.modelDir(), o.threads, ids));
                } catch (BenchException e) {
                    torchWhy = e.getMessage();
                }
            }
            results.add(new Result(l, ours, explicit, theirs));
        }
        if (torchWhy != null) {
            c.report().note("peak memory: torch reference " + torchWhy);
        }
        if (!results.isEmpty()) {
            table(c, name, results);
        }
    }

    private static void table(Bench.Context c, String name, List<Result> results) {
        BenchReport report = c.report();
        List<List<String>> rows = new ArrayList<>();
        for (Result r : results) {
            report.add("peak", name, r.length(), 1, "cramlab_step_peak_mib", ProcStatus.mib(r.cramlabKb()), "MiB");
            if (r.explicitKb() >= 0) {
                report.add("peak", name, r.length(), 1, "cramlab_explicit_step_peak_mib", ProcStatus.mib(r.explicitKb()), "MiB");
            }
            if (r.torchKb() >= 0) {
                report.add("peak", name, r.length(), 1, "torch_step_peak_mib", ProcStatus.mib(r.torchKb()), "MiB");
                report.add("peak", name, r.length(), 1, "peak_ratio_cramlab_over_torch", r.ratio(), "x");
            }
            double ratio = r.ratio();
            rows.add(List.of(Integer.toString(r.length()), BenchReport.fmt(ProcStatus.mib(r.cramlabKb()), 1),
                    r.explicitKb() < 0 ? "-" : BenchReport.fmt(ProcStatus.mib(r.explicitKb()), 1),
                    r.torchKb() < 0 ? "skipped" : BenchReport.fmt(ProcStatus.mib(r.torchKb()), 1), BenchReport.fmt(ratio, 2),
                    Double.isNaN(ratio) ? "n/a" : ratio <= 1.0 ? "met" : "MISSED"));
        }
        report.add(new BenchReport.Table("Peak memory of one step over the loaded model (fresh process per side and L; VmHWM"
                + " growth), " + name + ", K = 1, attention " + c.options().attention.name().toLowerCase(),
                List.of("L", "cramlab MiB", "cramlab explicit MiB", "torch MiB", "cramlab/torch", "target <= 1.0"), rows));
    }

    private static long growth(JsonObject probe) {
        return probe.get("peak_hwm_kb").getAsLong() - probe.get("baseline_rss_kb").getAsLong();
    }

    /** Runs {@link PeakProbe} in a fresh JVM (fixed, pre-touched heap, as environment/bench/run). */
    static JsonObject probe(Path dir, AttentionPath attention, int[] ids, int threads) {
        StringBuilder list = new StringBuilder();
        for (int id : ids) {
            list.append(list.length() == 0 ? "" : ",").append(id);
        }
        List<String> cmd = new ArrayList<>(ChildJvm.command());
        cmd.addAll(List.of("-Xss4m", "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dai.djl.pytorch.num_threads=" + threads, "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), PeakProbe.class.getName(), dir.toString(),
                attention.name().toLowerCase(), list.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        try {
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            String last = text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
            if (rc != 0 || last == null) {
                throw new BenchException("peak probe failed (exit " + rc + "): " + text.strip());
            }
            return JsonParser.parseString(last).getAsJsonObject();
        } catch (IOException e) {
            throw new BenchException("cannot start the peak probe: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("peak probe interrupted", e);
        }
    }
}
