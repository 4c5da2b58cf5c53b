package org.cramlab.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cramlab.experiment.CapacityUtilisation;
import org.cramlab.experiment.CapacityVsEntropy;
import org.cramlab.experiment.CapacityVsLength;
import org.cramlab.experiment.CapacityVsMemoryVectors;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.CapacitySearch;
import org.cramlab.capacity.SearchMethod;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.experiment.MemoryGeometry;
import org.cramlab.run.Profile;
import org.cramlab.train.DefaultModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * {@code plan --experiment capacity-vs-length --profile smoke --out plan.json}: writes the plan a notebook
 * would run, built the same way (profile from the same {@code CRAMLAB_*} variables, then the
 * experiment's {@code plan()}), for {@code sweep}.
 */
@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description = {
            "Write an experiment's plan (its grid of runs) to a JSON file for `sweep`.",
            "Options override the CRAMLAB_PROFILE, CRAMLAB_MODELS, CRAMLAB_SEED, CRAMLAB_TEXTS, CRAMLAB_VOCAB variables the notebooks read."
        },
        footer = {"%nExample:", "  java -jar lib/cramlab.jar plan --experiment capacity-vs-length --out p.json"})
public final class PlanCommand implements Callable<Integer> {

    /** Experiment names, as the notebooks are named. */
    static final List<String> EXPERIMENTS = List.of("capacity-vs-length", "capacity-vs-entropy",
            "capacity-vs-memory-vectors", "capacity-utilisation", "memory-geometry");

    @Option(names = "--experiment", required = true, paramLabel = "NAME",
            description = "capacity-vs-length, capacity-vs-entropy, capacity-vs-memory-vectors, capacity-utilisation or memory-geometry")
    String experiment;

    @Option(names = "--profile", paramLabel = "NAME", description = "smoke or paper (default: $CRAMLAB_PROFILE or smoke)")
    String profile;

    @Option(names = "--models", paramLabel = "DIRS", description = "model directories, comma-separated (default: $CRAMLAB_MODELS or the default model)")
    String models;

    @Spec
    CommandSpec spec;

    @Mixin
    SeedOption seed;

    @Option(names = "--texts-csv", paramLabel = "F", description = "natural texts from a paper-format chunk CSV (default: $CRAMLAB_TEXTS or the book corpus)")
    String textsCsv;

    @Option(names = "--exact", description = "exact mode: each run optimised alone, results independent of batching and"
            + " of interruptions, bit for bit (slower; default: $CRAMLAB_EXACT or batched)")
    boolean exact;

    @Option(names = "--vocab", paramLabel = "F", description = "word list of random texts, e.g. the paper's vocab_100k.txt"
            + " (default: $CRAMLAB_VOCAB or cramlab's default word list)")
    String vocab;

    @Option(names = "--lengths", split = ",", paramLabel = "L,...", description = "override the length grid")
    List<Integer> lengths;

    @Option(names = "--memory-vectors", split = ",", paramLabel = "K,...", description = "override the K grid")
    List<Integer> memoryVectors;

    @Option(names = "--texts", paramLabel = "N", description = "override natural texts per length")
    Integer texts;

    @Option(names = "--random-texts", paramLabel = "N", description = "override the number of random texts")
    Integer randomTexts;

    @Option(names = "--max-steps", paramLabel = "N", description = "override the step cap")
    Integer maxSteps;

    @Option(names = "--patience", paramLabel = "N", description = "override the patience")
    Integer patience;

    @Option(names = "--strategy", defaultValue = "grid", paramLabel = "S",
            description = "capacity strategy the plan names: grid, warm, bisect or progressive (default: ${DEFAULT-VALUE});"
                    + " a staged one (not grid) needs a plan of one K, and `sweep` shards it by text")
    String strategy;

    @Option(names = "--stage-steps", paramLabel = "N",
            description = "warm/bisect/progressive: step budget of each stage (default: " + SearchMethod.DEFAULT_STAGE_STEPS + ")")
    Integer stageSteps;

    @Option(names = "--stage-patience", paramLabel = "N", description = "warm/bisect/progressive: a stage stops after N steps"
            + " without improvement (default: " + SearchMethod.DEFAULT_STAGE_PATIENCE + ")")
    Integer stagePatience;

    @Option(names = "--grow", paramLabel = "N",
            description = "progressive: tokens added per stage (default: " + SearchMethod.DEFAULT_GROW + ")")
    Integer grow;

    @Option(names = "--repair", negatable = true, description = "warm/bisect/progressive: repair the capacity boundary with"
            + " the grid's own runs (default: on; --no-repair: the staged pass alone)")
    Boolean repair;

    @Mixin
    InitChoice init;

    @Option(names = "--out", required = true, paramLabel = "F", description = "plan file to write")
    Path out;

    @Override
    public Integer call() {
        String vsK = "capacity-vs-memory-vectors", geometry = "memory-geometry";
        Options.refuseUnless(spec, "--memory-vectors", experiment.equals(vsK), "only to --experiment " + vsK
                + " (the others run K = 1)");
        Options.refuseUnless(spec, "--random-texts", experiment.equals("capacity-vs-entropy"),
                "only to --experiment capacity-vs-entropy (the only one with random texts)");
        Options.refuseUnless(spec, "--lengths", !experiment.equals(geometry), "not to --experiment " + geometry
                + " (one length, the profile's geometry length)");
        Options.refuseUnless(spec, "--texts", !experiment.equals(geometry), "not to --experiment " + geometry
                + " (the profile's geometry texts)");
        Profile p = profile();
        ExperimentPlan plan = plan(p).withStrategy(strategy, stageSteps, stagePatience, grow, repair);
        if (p.batchSize() == 1) plan = plan.exact(); // --exact / CRAMLAB_EXACT=1, as ExperimentRunner.forProfile
        if (!plan.isGrid()) CapacitySearch.fromPlan(plan); // a staged plan must be one search (one K): fail before writing
        String initLabel = PlanInit.write(init, plan, out); // before the plan: a bad --init leaves no plan behind
        plan.save(out);
        System.out.println("wrote " + out + ": plan '" + plan.name() + "', " + plan.runs().size() + " runs"
                + (plan.isExact() ? " (exact mode)" : "") + (plan.isGrid() ? "" : ", strategy " + plan.strategy())
                + (initLabel == null ? "" : ", init " + initLabel + " in " + PlanInit.sidecar(out)));
        return 0;
    }

    /** The profile from the environment with this command's options on top. */
    Profile profile() {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (profile != null) env.put(Profile.ENV_PROFILE, profile);
        if (models != null) env.put(Profile.ENV_MODELS, models);
        if (seed.given()) env.put(Profile.ENV_SEED, String.valueOf(seed.seed()));
        if (textsCsv != null) env.put(Profile.ENV_TEXTS, textsCsv);
        if (vocab != null) env.put(Profile.ENV_VOCAB, vocab);
        if (exact) env.put(Profile.ENV_EXACT, "1");
        String m = env.get(Profile.ENV_MODELS);
        // As the notebooks: the default model unless models are given (then it is not looked up at all).
        Profile p = Profile.fromEnv(env, m == null || m.isBlank() ? DefaultModel.directory() : null);
        return new Profile(p.name(), p.modelDirs(), p.naturalSource(), p.naturalPath(),
                texts != null ? texts : p.textsPerSource(), randomTexts != null ? randomTexts : p.randomTexts(),
                p.randomMaxLength(), p.randomVocab(), lengths != null ? lengths : p.lengths(),
                memoryVectors != null ? memoryVectors : p.memoryVectors(), maxSteps != null ? maxSteps : p.maxSteps(),
                patience != null ? patience : p.patience(), p.batchSize(), p.seed(), p.geometryTexts(),
                p.geometrySeeds(), p.geometryLength(), p.interpolationPoints());
    }

    /** The experiment's plan for {@code p}. */
    ExperimentPlan plan(Profile p) {
        return switch (experiment) {
            case "capacity-vs-length" -> new CapacityVsLength(p).plan();
            case "capacity-vs-entropy" -> new CapacityVsEntropy(p).plan();
            case "capacity-vs-memory-vectors" -> new CapacityVsMemoryVectors(p).plan();
            case "capacity-utilisation" -> new CapacityUtilisation(p).plan();
            case "memory-geometry" -> new MemoryGeometry(p).plan();
            default -> throw new ExperimentException("unknown experiment '" + experiment + "': expected one of " + EXPERIMENTS);
        };
    }
}
