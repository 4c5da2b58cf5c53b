package org.cramlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cramlab.capacity.SearchMethod;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Json;
import org.cramlab.core.Plural;
import org.cramlab.core.Versions;
import org.cramlab.init.LearnedInit;
import org.cramlab.cram.CramException;
import org.cramlab.cram.CramSettings;
import org.cramlab.run.CapacitySearch;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.OutputFolder;
import org.cramlab.run.PlanTexts;
import org.cramlab.run.Profile;
import org.cramlab.run.RunFolder;
import org.cramlab.model.BlasThreads;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;
import org.cramlab.report.Aggregates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code capacity}: decoding capacity at fixed K over a set of texts and a length grid, as a
 * {@link CapacitySearch} through the experiment runner: OUT is a run folder (records, memories, resumed
 * when rerun), plus {@code summary.json}.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true,
        description = {"Decoding capacity: largest length whose mean best accuracy over the texts is >= 0.99.",
                "OUT is a run folder: rerunning the same command computes only the runs still missing."},
        footer = {"%nExample:", "  java -jar lib/cramlab.jar capacity --texts t.jsonl --strategy warm --out cap"})
public final class CapacityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CramOptions options;

    @Option(names = "--texts", required = true, paramLabel = "F",
            description = ".csv with a 'text' column, .jsonl with 'text' (and 'id'), or one text per line.")
    Path texts;

    @Option(names = "--limit", defaultValue = "50", description = "Use the first N texts (default: ${DEFAULT-VALUE}, as the paper).")
    int limit;

    @Option(names = "--lengths", split = ",", paramLabel = "L,L,...",
            description = "Length grid (default: the paper's 8,16,...,3072; lengths beyond the model are dropped).")
    List<Integer> lengths;

    @Option(names = "--mem", defaultValue = "1", paramLabel = "K", description = "Memory vectors (default: ${DEFAULT-VALUE}).")
    int mem;

    @Option(names = "--bisect", defaultValue = "0", paramLabel = "N",
            description = "grid only: bisection rounds between the last passing and first failing grid length (default: ${DEFAULT-VALUE}).")
    int bisect;

    @Option(names = "--strategy", defaultValue = "grid", paramLabel = "S",
            description = {"grid (the paper: every length from scratch), warm (each grid length warm-started from the text's",
                "next shorter one), bisect (per text doubling then bisection, warm-started) or progressive (grow by --grow",
                "tokens, warm-started) (default: ${DEFAULT-VALUE})."})
    String strategy;

    @Option(names = "--stage-steps", paramLabel = "N",
            description = "warm/bisect/progressive: step budget of each stage (default: ${DEFAULT-VALUE}).")
    int stageSteps = SearchMethod.DEFAULT_STAGE_STEPS;

    @Option(names = "--stage-patience", paramLabel = "N",
            description = "warm/bisect/progressive: a stage stops after N steps without improvement (default: ${DEFAULT-VALUE}).")
    int stagePatience = SearchMethod.DEFAULT_STAGE_PATIENCE;

    @Option(names = "--grow", paramLabel = "N",
            description = "progressive: tokens added per stage (default: ${DEFAULT-VALUE}).")
    int grow = SearchMethod.DEFAULT_GROW;

    @Option(names = "--repair", negatable = true, description = {
            "warm/bisect/progressive (on by default; --no-repair: the staged pass alone): then repair the capacity",
            "boundary with the grid's own runs (from scratch, this command's --steps/--patience and seed) for the texts",
            "below 1.0 at the failing lengths near the boundary, until a length passes or cannot (run records in OUT,",
            "resumed like the grid's). Needed where the paper's rule wants nearly every text exact (docs/capacity-search.md)."})
    Boolean repair;

    @Option(names = "--batch", paramLabel = "B", description = "Runs per batched step (default: ${DEFAULT-VALUE}).")
    int batch = CramSettings.paper().batchSize();

    @Mixin
    InitChoice init;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: capacity-<model>-K<k>, plus -init-<kind> with --init).")
    Path out;

    @Option(names = "--write-plan", paramLabel = "F",
            description = "Only write the grid's plan to F (for `sweep`, e.g. on Slurm, into the same OUT) and exit.")
    Path writePlan;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(texts)) {
            throw new CramException("--texts " + texts + " does not exist or is not a file");
        }
        SearchMethod chosen = SearchMethod.named(strategy, bisect); // bad names fail before any work
        Options.refuseUnless(spec, "--stage-steps", chosen.isStaged(), "only with a staged --strategy (warm, bisect, progressive)");
        Options.refuseUnless(spec, "--stage-patience", chosen.isStaged(), "only with a staged --strategy (warm, bisect, progressive)");
        Options.refuseUnless(spec, "--repair", chosen.isStaged(), "only with a staged --strategy (warm, bisect, progressive)");
        Options.refuseUnless(spec, "--grow", strategy.strip().equalsIgnoreCase("progressive"), "only with --strategy progressive");
        if (chosen.isStaged()) {
            if (stageSteps < 1) throw new CramException("--stage-steps must be >= 1, got " + stageSteps);
            if (stagePatience < 1) throw new CramException("--stage-patience must be >= 1, got " + stagePatience);
            chosen = SearchMethod.staged(chosen.strategy(), stageSteps, stagePatience, grow,
                    repair == null ? SearchMethod.DEFAULT_REPAIR : repair);
        }
        Path modelDir = options.model.directory().toAbsolutePath();
        String modelId = Profile.modelId(modelDir.toString());
        String name = "capacity-" + modelId + "-K" + mem;
        Path dir = out != null ? out : Path.of(name + (init.isRandom() ? "" : "-init-" + Path.of(init.init).getFileName()));
        if (writePlan == null) {
            OutputFolder.requireWritable(dir, "--out"); // before any model is loaded
        }
        ModelInfo info;
        LearnedInit learned;
        try (CausalLM model = options.model.load()) {
            info = model.info();
            learned = init.learned(model, modelDir, mem);
        }
        if (!init.isRandom() && learned == null) {
            throw new CramException("--init " + init.init + " is neither random, mean, neighbour, encoder nor an init file written by `init`");
        }
        String initLabel = learned == null ? RunInit.RANDOM : learned.label();
        if (writePlan == null) RunInit.requireSame(dir, initLabel);
        CapacitySearch search;
        try (TextTokenizer tokenizer = options.model.tokenizer()) {
            search = CapacitySearch.builder(modelDir.toString(), modelId, CapacitySearch.candidates(texts, limit, tokenizer))
                    .optName(name)
                    .optMem(mem)
                    .optLengths(lengths == null ? Profile.paper().lengths() : lengths)
                    .optSeed(options.optim.seed())
                    .optSettings(options.optim.optimiser())
                    .optStrategy(chosen)
                    .optMaxPositions(info.maxPositions())
                    .build();
        }
        if (writePlan != null) {
            search.gridPlan().save(writePlan);
            stdout.println("wrote " + writePlan + ": " + search.gridPlan().runs().size() + " runs");
            return 0;
        }
        err.printf(Locale.ROOT, "%d texts, lengths %s, K=%d, strategy %s -> %s%n", search.texts().size(), search.grid(), mem,
                search.method().name(), dir);
        ExperimentRunner runner = ExperimentRunner.builder().optTexts(PlanTexts.forPlan(search.gridPlan()))
                .optBatchSize(batch).optGreedyCheck(!options.optim.noGreedy).optModelLoader(d -> options.model.load())
                .optParams(Map.of("texts", texts.toString(), "strategy", strategyParams(search.method()), RunInit.KEY, initLabel))
                .optInit(learned).build();
        CapacitySearch.Result result;
        try (RunFolder folder = RunFolder.open(dir)) {
            result = search.run(runner, folder);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("result", result);
        summary.put("settings", CramSettings.builder().optOptimiser(search.settings()).build().asMap());
        summary.put("strategy", strategyParams(search.method()));
        summary.put("texts", texts.toString());
        summary.put(RunInit.KEY, initLabel);
        Map<String, String> environment = new LinkedHashMap<>(Versions.all());
        environment.put("blas", BlasThreads.describe());
        summary.put("environment", environment);
        Files.writeString(dir.resolve("summary.json"), Json.writePretty(summary)); // strict JSON
        stdout.println(table(result));
        stdout.flush();
        return 0;
    }

    /** What the strategy was run with (params.json, summary.json): a staged one's stage budget too. */
    private Map<String, Object> strategyParams(SearchMethod s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        if (s.bisectRounds() > 0) m.put("bisect_rounds", s.bisectRounds());
        if (s.isStaged()) {
            m.put("stage_steps", s.stageSteps());
            m.put("stage_patience", s.stagePatience());
            m.put("grow", s.grow());
            m.put("repair", s.repair());
        }
        return m;
    }

    /** One decimal, or "-" for what was not measured (NaN). */
    private static String oneDecimal(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.1f", x);
    }

    static String table(CapacitySearch.Result r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-8s %5s %10s %11s %14s%n", "length", "runs", "mean acc", "token gain", "info gain nats"));
        for (Aggregates.LengthStats l : r.lengths()) {
            s.append(String.format(Locale.ROOT, "%-8d %5d %10.4f %11s %14s%s%n", l.length(), l.runs(),
                    l.meanBestAccuracy(), oneDecimal(l.meanTokenGain()), oneDecimal(l.meanInformationGainNats()),
                    l.passed() ? "  pass" : ""));
        }
        s.append(String.format(Locale.ROOT, "decoding capacity (K=%d): %s%s%n", r.nMem(), Plural.of(r.decodingCapacity(), "token"),
                r.bisectedCapacity() != r.decodingCapacity() ? " (bisection: " + r.bisectedCapacity() + ")" : ""));
        s.append(String.format(Locale.ROOT, "strategy %s: %s in total%n", r.strategy(),
                Plural.of(r.optimisationSteps(), "optimisation step")));
        s.append(String.format(Locale.ROOT, "theoretical capacity 16d/log2|V| = %.1f tokens; ", r.theoreticalCapacity()));
        if (Double.isNaN(r.meanTokenGainSaturated())) {
            s.append(r.strategy().startsWith("grid")
                    ? "token gain: not measured (no run stayed below accuracy 0.99 to measure it from)"
                    : "token gain: not measured (a staged search runs no from-scratch run per length)");
        } else {
            s.append(String.format(Locale.ROOT, "token gain over %s %.1f; utilisation %.4f",
                    Plural.of(r.saturatedRuns(), "saturated run"), r.meanTokenGainSaturated(), r.utilisation()));
        }
        return s.toString();
    }
}
