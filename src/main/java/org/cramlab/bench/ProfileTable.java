package org.cramlab.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench --profile}'s table: per op name, calls and self time per step on cramlab's side (libtorch's
 * profiler) beside the reference's (torch.profiler). Both name the ATen ops alike ({@code aten::mm},
 * {@code aten::_scaled_dot_product_flash_attention_for_cpu}); autograd nodes and the profilers' own ranges
 * differ by side and show on one side only.
 */
final class ProfileTable {

    /** Op names shown: the union of each side's largest self times. */
    static final int TOP = 20;

    private ProfileTable() {}

    /** Adds the table for length {@code l}; {@code theirs} is null when the reference did not run. */
    static void add(BenchReport report, String model, int l, List<OpProfile.Row> ours, List<OpProfile.Row> theirs) {
        report.add(new BenchReport.Table("Self time per op and step (ms), " + model + ", L = " + l + ", the top " + TOP
                + " of each side by self time and the step's time outside any op, one profiled step each in turn; the last row sums all", List.of("op", "cramlab calls", "cramlab ms",
                "torch calls", "torch ms"), rows(ours, theirs)));
        for (OpProfile.Row r : ours) {
            report.add("profile", model, l, 1, "cramlab_self_ms:" + r.name(), r.selfMsPerStep(), "ms");
        }
        if (theirs != null) {
            for (OpProfile.Row r : theirs) {
                report.add("profile", model, l, 1, "torch_self_ms:" + r.name(), r.selfMsPerStep(), "ms");
            }
        }
    }

    /** The union of both sides' top {@link #TOP} names, by the larger of the two self times, then a total row. */
    static List<List<String>> rows(List<OpProfile.Row> ours, List<OpProfile.Row> theirs) {
        Map<String, OpProfile.Row> a = byName(ours);
        Map<String, OpProfile.Row> b = theirs == null ? Map.of() : byName(theirs);
        Set<String> names = new LinkedHashSet<>();
        ours.stream().limit(TOP).forEach(r -> names.add(r.name()));
        if (theirs != null) {
            theirs.stream().limit(TOP).forEach(r -> names.add(r.name()));
        }
        if (a.containsKey(OpProfile.OUTSIDE_OPS) || b.containsKey(OpProfile.OUTSIDE_OPS)) {
            names.add(OpProfile.OUTSIDE_OPS);
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort((x, y) -> Double.compare(Math.max(ms(b, y), ms(a, y)), Math.max(ms(b, x), ms(a, x))));
        List<List<String>> rows = new ArrayList<>();
        for (String name : sorted) {
            rows.add(List.of(name, calls(a, name), fmtMs(a, name), theirs == null ? "skipped" : calls(b, name),
                    theirs == null ? "skipped" : fmtMs(b, name)));
        }
        rows.add(List.of("step (all rows, not only those shown)", BenchReport.fmt(ours.stream().mapToDouble(OpProfile.Row::callsPerStep).sum(), 0),
                BenchReport.fmt(total(ours), 1),
                theirs == null ? "skipped" : BenchReport.fmt(theirs.stream().mapToDouble(OpProfile.Row::callsPerStep).sum(), 0),
                theirs == null ? "skipped" : BenchReport.fmt(total(theirs), 1)));
        return rows;
    }

    private static double total(List<OpProfile.Row> rows) {
        return rows.stream().mapToDouble(OpProfile.Row::selfMsPerStep).sum();
    }

    private static Map<String, OpProfile.Row> byName(List<OpProfile.Row> rows) {
        Map<String, OpProfile.Row> m = new HashMap<>();
        rows.forEach(r -> m.put(r.name(), r));
        return m;
    }

    private static double ms(Map<String, OpProfile.Row> side, String name) {
        OpProfile.Row r = side.get(name);
        return r == null ? 0 : r.selfMsPerStep();
    }

    private static String fmtMs(Map<String, OpProfile.Row> side, String name) {
        OpProfile.Row r = side.get(name);
        return r == null ? "-" : BenchReport.fmt(r.selfMsPerStep(), 2);
    }

    private static String calls(Map<String, OpProfile.Row> side, String name) {
        OpProfile.Row r = side.get(name);
        return r == null ? "-" : BenchReport.fmt(r.callsPerStep(), 0);
    }
}
