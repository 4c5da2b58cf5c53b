package org.cramlab.run;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cramlab.core.Json;
import org.cramlab.cram.OptimiserSettings;
import org.cramlab.text.TextSource;

/**
 * How big an experiment is: which models, how many texts, which grids, how many steps.
 *
 * <p>{@link #smoke()} runs every notebook on the default model in minutes on 2 CPU cores and still
 * shows each figure's effect; {@link #paper()} is the paper's set-up (meant for real checkpoints on a GPU).
 *
 * @param name profile name
 * @param modelDirs model directories (Hugging Face layout)
 * @param naturalSource source of natural texts: book (default corpus, held-out part) or csv
 * @param naturalPath chunk CSV for csv (e.g. the paper's pg19_valid_1k_chunks.csv); null for book
 * @param textsPerSource natural texts per length
 * @param randomTexts random word sequences (each with its own random length, as the paper)
 * @param randomMaxLength random sequence lengths are drawn uniformly from 2..randomMaxLength
 * @param randomVocab vocabulary file for random texts; null for cramlab's default word list (the model's
 *     {@code words.txt}, else the default model's)
 * @param lengths length grid (tokens) at K = 1
 * @param memoryVectors K grid for the memory-vector scaling experiment
 * @param maxSteps optimisation step cap per run
 * @param patience early stop after this many steps without improvement
 * @param batchSize runs optimised together by the batched engine
 * @param seed memory-init and text-sampling seed
 * @param geometryTexts texts for the memory-geometry experiment
 * @param geometrySeeds solutions (init seeds) per text there
 * @param geometryLength text length (tokens) there; short enough to be solved exactly
 * @param interpolationPoints points along each interpolation path (including both ends)
 */
public record Profile(
        String name,
        List<String> modelDirs,
        TextSource naturalSource,
        String naturalPath,
        int textsPerSource,
        int randomTexts,
        int randomMaxLength,
        String randomVocab,
        List<Integer> lengths,
        List<Integer> memoryVectors,
        int maxSteps,
        int patience,
        int batchSize,
        long seed,
        int geometryTexts,
        int geometrySeeds,
        int geometryLength,
        int interpolationPoints) {

    /** Environment variables read by {@link #fromEnv(Map, Path)} (the notebooks' parameters cell). */
    public static final String ENV_PROFILE = "CRAMLAB_PROFILE", ENV_MODELS = "CRAMLAB_MODELS", ENV_SEED = "CRAMLAB_SEED",
            ENV_OUT = "CRAMLAB_OUT", ENV_TEXTS = "CRAMLAB_TEXTS", ENV_MAX_STEPS = "CRAMLAB_MAX_STEPS",
            ENV_VOCAB = "CRAMLAB_VOCAB", ENV_EXACT = "CRAMLAB_EXACT";

    public Profile {
        modelDirs = List.copyOf(modelDirs);
        lengths = List.copyOf(lengths);
        memoryVectors = List.copyOf(memoryVectors);
        require(textsPerSource >= 1, "texts_per_source", textsPerSource, ">= 1");
        require(randomTexts >= 0, "random_texts", randomTexts, ">= 0");
        require(randomTexts == 0 || randomMaxLength >= 2, "random_max_length", randomMaxLength, ">= 2");
        require(!lengths.isEmpty() && lengths.stream().allMatch(l -> l >= 2), "lengths", lengths, "non-empty, each >= 2");
        require(!memoryVectors.isEmpty() && memoryVectors.stream().allMatch(k -> k >= 1), "memory_vectors", memoryVectors,
                "non-empty, each >= 1");
        require(batchSize >= 1, "batch_size", batchSize, ">= 1");
        require(geometrySeeds >= 2, "geometry_seeds", geometrySeeds, ">= 2 (pairs of solutions)");
        require(geometryTexts >= 2, "geometry_texts", geometryTexts, ">= 2 (pairs across texts)");
        require(interpolationPoints >= 2, "interpolation_points", interpolationPoints, ">= 2");
        if (naturalSource != TextSource.BOOK && naturalSource != TextSource.CSV) {
            throw new ExperimentException("profile '" + name + "': natural_source must be book or csv, got '" + naturalSource + "'");
        }
        if (naturalSource == TextSource.CSV && naturalPath == null) {
            throw new ExperimentException("profile '" + name + "': natural_source csv needs natural_path (set " + ENV_TEXTS + ")");
        }
    }

    private static void require(boolean ok, String field, Object value, String expected) {
        if (!ok) throw new ExperimentException("profile field " + field + " must be " + expected + ", got " + value);
    }

    /**
     * Minutes on 2 CPU cores with the default model: a few book texts, a short length grid, K = 1, 2, 4
     * (three points for the K-scaling figure; about a minute with one PyTorch thread), capped steps.
     *
     * <p>Deliberately unlike the paper's grid (which starts at 8 tokens), the smoke grid starts at 2 (BOS + one
     * token): the default model's one-vector capacity is about 3 tokens (model card), so a grid from 8 would
     * leave the capacity figures empty. Patience equals the step cap (early stopping off): a short text often sits on
     * a plateau for 100+ steps before its last tokens flip, and the paper's patience is 2000. Memory geometry runs
     * at 3 tokens (BOS + 2), inside that capacity, so its Figure 8 has solutions to walk between (at 12 tokens
     * none of the 9 runs decoded).
     */
    public static Profile smoke() {
        return new Profile("smoke", List.of(), TextSource.BOOK, null, 3, 6, 48, null, List.of(2, 3, 4, 6, 8, 16, 32),
                List.of(1, 2, 4), 300, 300, 16, 0, 3, 3, 3, 11);
    }

    /**
     * The paper's set-up: its union length grid, K up to 32, 50 natural and 100 random texts, 5000 steps,
     * patience 2000. Memory geometry as in its Figure 8 (32 solutions per text).
     */
    public static Profile paper() {
        return new Profile("paper", List.of(), TextSource.BOOK, null, 50, 100, 1024, null,
                List.of(8, 16, 32, 64, 80, 96, 128, 160, 192, 256, 384, 512, 768, 1024, 1280, 1568, 2048, 2560, 3072),
                List.of(1, 2, 4, 8, 16, 32), 5000, 2000, 16, 0, 8, 32, 128, 11);
    }

    /** {@code smoke} or {@code paper}. */
    public static Profile named(String name) {
        return switch (name == null ? "" : name.strip()) {
            case "smoke" -> smoke();
            case "paper" -> paper();
            default -> throw new ExperimentException("unknown profile '" + name + "': expected smoke or paper");
        };
    }

    /**
     * The notebooks' parameters: {@code CRAMLAB_PROFILE} (default smoke), {@code CRAMLAB_MODELS} (model
     * directories separated by ',' or the path separator; default {@code defaultModelDir}),
     * {@code CRAMLAB_SEED}, {@code CRAMLAB_TEXTS} (a paper-format chunk CSV instead of the book corpus),
     * {@code CRAMLAB_MAX_STEPS} (a step cap overriding the profile's; patience is capped to it),
     * {@code CRAMLAB_VOCAB} (word list of random texts, e.g. the paper's vocab_100k.txt; default: cramlab's),
     * {@code CRAMLAB_EXACT=1} (exact mode: batch size 1, see {@link #withBatchSize}).
     */
    public static Profile fromEnv(Map<String, String> env, Path defaultModelDir) {
        Profile p = named(env.getOrDefault(ENV_PROFILE, "smoke"));
        String models = env.get(ENV_MODELS);
        List<String> dirs = models == null || models.isBlank()
                ? List.of(defaultModelDir.toString())
                : Arrays.stream(models.split("[," + java.io.File.pathSeparator + "]")).map(String::strip)
                        .filter(s -> !s.isEmpty()).toList();
        p = p.withModelDirs(dirs);
        String seed = env.get(ENV_SEED);
        if (seed != null && !seed.isBlank()) {
            try {
                p = p.withSeed(Long.parseLong(seed.strip()));
            } catch (NumberFormatException e) {
                throw new ExperimentException(ENV_SEED + " must be an integer, got '" + seed + "'");
            }
        }
        String steps = env.get(ENV_MAX_STEPS);
        if (steps != null && !steps.isBlank()) {
            try {
                int n = Integer.parseInt(steps.strip());
                p = p.withSteps(n, Math.min(p.patience(), n));
            } catch (NumberFormatException e) {
                throw new ExperimentException(ENV_MAX_STEPS + " must be an integer, got '" + steps + "'");
            }
        }
        String texts = env.get(ENV_TEXTS);
        if (texts != null && !texts.isBlank()) p = p.withNaturalTexts(TextSource.CSV, texts.strip());
        String exact = env.get(ENV_EXACT);
        if (exact != null && !exact.isBlank()) {
            switch (exact.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "1", "true", "yes" -> p = p.withBatchSize(1); // exact mode: every run alone (ExperimentRunner)
                case "0", "false", "no" -> { }
                default -> throw new ExperimentException(ENV_EXACT + " must be 1 (exact mode) or 0, got '" + exact + "'");
            }
        }
        String vocab = env.get(ENV_VOCAB);
        if (vocab != null && !vocab.isBlank()) p = p.withRandomVocab(vocab.strip());
        return p;
    }

    /**
     * The run folder {@code <root>/<name>} ({@link OutputFolder#resolve}: {@code CRAMLAB_OUT}, else
     * {@code out/runs} of the checkout holding the working directory, i.e. the notebook's own checkout),
     * created and checked writable now, so a bad {@code CRAMLAB_OUT} fails before any cramming.
     */
    public static Path outDir(Map<String, String> env, String name) {
        String out = env.get(ENV_OUT);
        return OutputFolder.requireWritable(OutputFolder.resolve(env, Path.of(""), name),
                out == null || out.isBlank() ? "run folder" : "run folder under " + ENV_OUT + "=" + out.strip() + ":");
    }

    /** The optimiser settings runs of this profile use: the paper's, with this profile's step cap. */
    public OptimiserSettings settings() {
        return OptimiserSettings.paper().withSteps(maxSteps, patience);
    }

    /**
     * The model id records use: the directory's name ({@code cramlab-default} for the embedded default
     * model, which is extracted into a folder named after its checksum).
     */
    public static String modelId(String modelDir) {
        Path p = Path.of(modelDir).getFileName();
        String name = p == null ? modelDir : p.toString();
        return name.startsWith("default-model") ? "cramlab-default" : name;
    }

    public Profile withModelDirs(List<String> dirs) {
        if (dirs.isEmpty()) throw new ExperimentException("profile '" + name + "': no model directories given");
        return new Profile(name, dirs, naturalSource, naturalPath, textsPerSource, randomTexts, randomMaxLength, randomVocab,
                lengths, memoryVectors, maxSteps, patience, batchSize, seed, geometryTexts, geometrySeeds, geometryLength,
                interpolationPoints);
    }

    public Profile withSteps(int newMaxSteps, int newPatience) {
        return new Profile(name, modelDirs, naturalSource, naturalPath, textsPerSource, randomTexts, randomMaxLength,
                randomVocab, lengths, memoryVectors, newMaxSteps, newPatience, batchSize, seed, geometryTexts, geometrySeeds,
                geometryLength, interpolationPoints);
    }

    public Profile withSeed(long newSeed) {
        return new Profile(name, modelDirs, naturalSource, naturalPath, textsPerSource, randomTexts, randomMaxLength,
                randomVocab, lengths, memoryVectors, maxSteps, patience, batchSize, newSeed, geometryTexts, geometrySeeds,
                geometryLength, interpolationPoints);
    }

    /**
     * Runs optimised together; 1 is exact mode (each run alone, results independent of which runs would share a
     * batch, reproduced bit for bit after an interruption; {@link ExperimentRunner#forProfile}).
     */
    public Profile withBatchSize(int newBatchSize) {
        return new Profile(name, modelDirs, naturalSource, naturalPath, textsPerSource, randomTexts, randomMaxLength,
                randomVocab, lengths, memoryVectors, maxSteps, patience, newBatchSize, seed, geometryTexts, geometrySeeds,
                geometryLength, interpolationPoints);
    }

    /** Random-word texts from this word list (one word per line, e.g. the paper's vocab_100k.txt). */
    public Profile withRandomVocab(String file) {
        return new Profile(name, modelDirs, naturalSource, naturalPath, textsPerSource, randomTexts, randomMaxLength, file,
                lengths, memoryVectors, maxSteps, patience, batchSize, seed, geometryTexts, geometrySeeds, geometryLength,
                interpolationPoints);
    }

    public Profile withNaturalTexts(TextSource source, String path) {
        return new Profile(name, modelDirs, source, path, textsPerSource, randomTexts, randomMaxLength, randomVocab, lengths,
                memoryVectors, maxSteps, patience, batchSize, seed, geometryTexts, geometrySeeds, geometryLength,
                interpolationPoints);
    }

    /** Everything as a map for {@code params.json}. */
    public Map<String, Object> toParams() {
        return Json.COMPACT.fromJson(Json.COMPACT.toJson(this), Map.class);
    }
}
