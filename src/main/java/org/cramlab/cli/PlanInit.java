package org.cramlab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cramlab.cram.CramException;
import org.cramlab.init.LearnedInit;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.RunSpec;

/**
 * A plan's learned init: {@code plan --init} writes it beside the plan file as {@code <plan>.init.safetensors}
 * (the plan format stays as it is), and {@code sweep} starts the plan's runs from it when it is there, on
 * every shard and Slurm task alike.
 */
final class PlanInit {

    private PlanInit() {}

    /** {@code p.json} -> {@code p.init.safetensors}. */
    static Path sidecar(Path plan) {
        String name = plan.getFileName().toString();
        return plan.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".init.safetensors");
    }

    /** Writes the init {@code choice} names for {@code plan} beside {@code file}, or removes a stale one; returns its label. */
    static String write(InitChoice choice, ExperimentPlan plan, Path file) {
        Path side = sidecar(file);
        if (choice.isRandom()) {
            try {
                Files.deleteIfExists(side); // a plan rewritten without --init must not start from an old init
            } catch (IOException e) {
                throw new CramException("cannot remove the old init " + side + ": " + e.getMessage(), e);
            }
            return null;
        }
        List<String> dirs = plan.runs().stream().map(RunSpec::modelDir).distinct().toList();
        List<Integer> ks = plan.runs().stream().map(RunSpec::nMem).distinct().toList();
        if (dirs.size() != 1 || ks.size() != 1) {
            throw new CramException("--init applies to a plan of one model and one K; this one has " + dirs.size()
                    + " models and K " + ks);
        }
        Path dir = Path.of(dirs.get(0));
        try (CausalLM model = Models.load(dir)) {
            LearnedInit learned = choice.learned(model, dir, ks.get(0));
            if (learned == null) {
                throw new CramException("--init " + choice.init + " is neither random, mean, neighbour, encoder nor an init file"
                        + " written by `init`");
            }
            learned.save(side);
            return learned.label();
        }
    }

    /** The init beside {@code file}, checked against the plan's model; null when there is none. */
    static LearnedInit read(Path file, ExperimentPlan plan) {
        Path side = sidecar(file);
        if (!Files.isRegularFile(side)) return null;
        LearnedInit init = LearnedInit.read(side);
        for (String dir : plan.runs().stream().map(RunSpec::modelDir).distinct().toList()) {
            init.requireModel(LearnedInit.fingerprint(Path.of(dir)), Path.of(dir).getFileName().toString(), side);
        }
        return init;
    }
}
