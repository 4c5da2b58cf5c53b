package org.cramlab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.cram.CramException;
import org.cramlab.init.LearnedInit;
import org.cramlab.init.TextFeature;
import org.cramlab.model.CausalLM;
import org.cramlab.run.Profile;
import org.cramlab.run.SolvedMemories;
import picocli.CommandLine.Option;

/**
 * {@code --init random|mean|neighbour|encoder|F} and {@code --init-from RUN_FOLDER|F}: where each run's memory
 * starts (issue 26). A kind needs solved memories to come from: a run folder (fitted now on its solved runs,
 * feature: mean input embedding) or an init file of that kind written by {@code init}. F alone is a fitted init
 * file (or, for {@code cram}, a plain memory file).
 */
public final class InitChoice {

    @Option(names = "--init", paramLabel = "random|mean|neighbour|encoder|F", description = {
            "Where each memory starts: random (the paper's seeded noise, default); mean, neighbour or encoder, fitted on",
            "the solved memories of --init-from; or a fitted init file written by `init` (docs/initialisation.md).",
            "Recorded as settings.init."})
    String init;

    @Option(names = "--init-from", paramLabel = "RUN_FOLDER|F", description = {
            "With --init mean|neighbour|encoder: a run folder whose every solved run is a training example, or an init",
            "file of that kind written by `init`."})
    Path from;

    /** True when runs start from the paper's random init. */
    boolean isRandom() {
        return init == null || init.equals("random");
    }

    /** The kind named by --init, or null when it names a file (or random). */
    private LearnedInit.Kind kind() {
        for (LearnedInit.Kind k : LearnedInit.Kind.values()) {
            if (k.label().equals(init)) return k;
        }
        return null;
    }

    /**
     * The learned init these options name, checked against {@code modelDir}'s model and K ({@code k} null: a
     * file's K, or 1 for one fitted now); null for random, or for a file that is not a fitted init (cram reads it
     * as a plain memory file).
     */
    LearnedInit learned(CausalLM model, Path modelDir, Integer k) {
        LearnedInit.Kind kind = kind();
        if (from != null && kind == null) {
            throw new CramException("--init-from " + from + " applies only with --init mean, neighbour or encoder, got --init "
                    + (init == null ? "random (the default)" : init));
        }
        if (isRandom()) return null;
        String sha = LearnedInit.fingerprint(modelDir);
        String modelId = model.info().modelId();
        LearnedInit learned;
        Path file;
        if (kind == null) {
            file = Path.of(init);
            if (!Files.isRegularFile(file) || !LearnedInit.isLearnedInit(file)) return null;
            learned = LearnedInit.read(file);
        } else if (from == null) {
            throw new CramException("--init " + init + " needs --init-from RUN_FOLDER|F: the solved memories to fit it on");
        } else if (Files.isDirectory(from)) {
            return fit(kind, model, modelDir, sha, k == null ? 1 : k);
        } else if (!Files.isRegularFile(from)) {
            throw new CramException("--init-from " + from + " does not exist: expected a run folder or an init file");
        } else if (!LearnedInit.isLearnedInit(from)) {
            throw new CramException("--init-from " + from + " is not an init file written by `init` (no init_kind metadata)");
        } else {
            file = from;
            learned = LearnedInit.read(from);
            if (learned.kind() != kind) {
                throw new CramException("--init-from " + from + " holds a " + learned.kind().label() + " init, not --init " + init);
            }
        }
        learned.requireModel(sha, modelId, file);
        if (k != null && learned.k() != k) {
            throw new CramException("init file " + file + " has K = " + learned.k() + ", these runs have K = " + k);
        }
        return learned;
    }

    private LearnedInit fit(LearnedInit.Kind kind, CausalLM model, Path modelDir, String sha, int k) {
        String modelId = Profile.modelId(modelDir.toString());
        List<SolvedMemories.Example> examples = SolvedMemories.read(from, modelId, k, model.info().hiddenSize(), null);
        if (examples.isEmpty()) {
            throw new CramException("--init-from " + from + " has no solved run of model " + modelId + " with K = " + k
                    + ": nothing to fit --init " + init + " on");
        }
        List<float[]> features = new ArrayList<>();
        List<float[]> memories = new ArrayList<>();
        for (SolvedMemories.Example e : examples) {
            features.add(TextFeature.meanEmbedding(model, e.tokenIds()));
            memories.add(e.memory());
        }
        return LearnedInit.fit(kind, sha, modelId, k, features, memories, LearnedInit.DEFAULT_LAMBDA);
    }
}
