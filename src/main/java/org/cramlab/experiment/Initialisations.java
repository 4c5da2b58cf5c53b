package org.cramlab.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cramlab.checkpoint.ModelDirectory;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.BatchedCrammer;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.RunListener;
import org.cramlab.init.ContentSplit;
import org.cramlab.init.LearnedInit;
import org.cramlab.init.ModelSamples;
import org.cramlab.init.TextFeature;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.Sentences;
import org.cramlab.text.ShortStories;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSource;

/**
 * Steps to the first exact step (teacher-forced accuracy 1.0) per memory init on held-out texts (issue 26):
 * cram the training texts from random noise, fit the learned inits on their solved memories, then cram every
 * held-out text from each init with the same budget. Held-out texts: L-token windows starting at each sentence
 * of cramlab's short stories; training texts: the other windows plus {@code --sampled N} texts sampled from the
 * model at temperature 1, all split train/held-out by content hash (held-out samples are dropped).
 *
 * <p>Run: {@code java -cp lib/cramlab.jar org.cramlab.experiment.Initialisations MODEL_DIR L STEPS OUT_DIR [LAMBDA]
 * [--sampled N] [--patience P] [--train-steps S] [--refit] [--random-only] [--held-out-limit N] [--no-neighbour] [--batch B]
 * [--features F,F]} (text features of {@link TextFeature.Kind}, default mean-embedding,positional);
 * it writes the fitted init files to
 * OUT_DIR, ready for {@code cram --init}. {@code --refit} re-crams the training texts from the positional encoder's
 * start and fits again on those memories; {@code --random-only} measures random init alone (to pick L).
 */
public final class Initialisations {

    private Initialisations() {}

    /** Held-out share of the texts (by content hash). */
    static final double HELD_OUT = 0.3;

    /** L-token windows, one per sentence start of each short story (special tokens as the tokenizer adds them). */
    static List<TextSample> windows(TextTokenizer tok, int length) {
        List<TextSample> out = new ArrayList<>();
        List<String> stories = ShortStories.all();
        for (int s = 0; s < stories.size(); s++) {
            List<String> sentences = Sentences.split(stories.get(s));
            for (int i = 0; i < sentences.size(); i++) {
                String rest = String.join(" ", sentences.subList(i, sentences.size()));
                int[] ids = tok.encode(rest, true, length);
                if (ids.length == length) out.add(new TextSample("story" + s + ":s" + i, TextSource.LITERAL, rest, ids));
            }
        }
        return out;
    }

    /** {@code n} windows of stories sampled from the model at temperature 1, seeded. */
    static List<TextSample> sampled(CausalLM model, TextTokenizer tok, int length, int n) {
        return ModelSamples.windows(model, tok, length, n, 0);
    }

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]);
        int length = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        Path out = Files.createDirectories(Path.of(args[3]));
        double lambda = args.length > 4 && !args[4].startsWith("--") ? Double.parseDouble(args[4]) : LearnedInit.DEFAULT_LAMBDA;
        List<String> opts = List.of(args);
        int nSampled = intOption(opts, "--sampled", 0);
        int patience = intOption(opts, "--patience", steps);
        int trainSteps = intOption(opts, "--train-steps", steps);
        List<LearnedInit.Kind> kinds = opts.contains("--no-neighbour") ? List.of(LearnedInit.Kind.MEAN, LearnedInit.Kind.ENCODER)
                : List.of(LearnedInit.Kind.values());
        int f = opts.indexOf("--features");
        List<TextFeature.Kind> features = Arrays.stream((f < 0 ? "mean-embedding,positional" : opts.get(f + 1)).split(","))
                .map(TextFeature.Kind::parse).toList();
        if (opts.contains("--refit") && !features.contains(TextFeature.Kind.POSITIONAL)) {
            throw new IllegalArgumentException("--refit re-crams from the positional encoder: --features must include positional");
        }
        try (CausalLM model = Models.load(modelDir); TextTokenizer tok = new ModelDirectory(modelDir).tokenizer()) {
            List<TextSample> stories = windows(tok, length);
            List<TextSample> all = new ArrayList<>(stories);
            all.addAll(sampled(model, tok, length, nSampled));
            ContentSplit<TextSample> split = ContentSplit.of(all, t -> ContentSplit.tokens(t.tokenIds()), HELD_OUT);
            List<TextSample> heldOut = split.heldOut().stream().filter(stories::contains)
                    .limit(intOption(opts, "--held-out-limit", Integer.MAX_VALUE)).toList();
            CramSettings settings = CramSettings.builder().optMaxSteps(steps).optPatience(patience).optGreedyCheck(false)
                    .optBatchSize(intOption(opts, "--batch", CramSettings.paper().batchSize())).build();
            BatchedCrammer crammer = new BatchedCrammer(model, settings);
            if (opts.contains("--random-only")) {
                StepsToExact r = StepsToExact.of(crammer.run(tasks(heldOut, null, model), RunListener.NONE), steps);
                System.out.println(StepsToExact.header());
                System.out.println(r.row("random, L=" + length, r.median()));
                return;
            }
            BatchedCrammer trainer = new BatchedCrammer(model, settings.toBuilder().optMaxSteps(trainSteps)
                    .optPatience(Math.min(patience, trainSteps)).build());
            long t0 = System.nanoTime();
            List<CramResult> train = trainer.run(tasks(split.train(), null, model), RunListener.NONE);
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            String sha = LearnedInit.fingerprint(modelDir);
            Map<String, LearnedInit> inits = new LinkedHashMap<>();
            inits.put("random", null);
            fitAll(inits, "", split.train(), train, model, sha, modelDir, lambda, kinds, features);
            System.out.printf(Locale.ROOT, "L=%d: %d training texts (%d sampled, %d solved, %.0f s), %d held out%n", length,
                    split.train().size(), split.train().stream().filter(t -> t.id().startsWith("sampled")).count(),
                    train.stream().filter(r -> StepsToExact.of(r) >= 0).count(), trainSeconds, heldOut.size());
            if (opts.contains("--refit")) {
                LearnedInit start = inits.get("encoder, positional");
                long t1 = System.nanoTime();
                List<CramResult> again = trainer.run(tasks(split.train(), start, model), RunListener.NONE);
                System.out.printf(Locale.ROOT, "refit: training texts re-crammed from the positional encoder in %.0f s, %d solved%n",
                        (System.nanoTime() - t1) / 1e9, again.stream().filter(r -> StepsToExact.of(r) >= 0).count());
                fitAll(inits, "refit ", split.train(), again, model, sha, modelDir, lambda, kinds, features);
            }
            for (Map.Entry<String, LearnedInit> e : inits.entrySet()) {
                if (e.getValue() != null) e.getValue().save(out.resolve(e.getKey().replaceAll("[ ,]+", "-") + ".safetensors"));
            }
            System.out.println(StepsToExact.header());
            double randomMedian = Double.NaN;
            for (Map.Entry<String, LearnedInit> e : inits.entrySet()) {
                StepsToExact r = StepsToExact.of(crammer.run(tasks(heldOut, e.getValue(), model), RunListener.NONE), steps);
                if (e.getValue() == null) randomMedian = r.median();
                System.out.println(r.row(e.getKey(), randomMedian));
                System.out.flush();
            }
        }
    }

    /** Fits {@code kinds} on the solved runs with each feature (mean only once: it reads no feature). */
    private static void fitAll(Map<String, LearnedInit> inits, String prefix, List<TextSample> texts, List<CramResult> runs,
            CausalLM model, String sha, Path modelDir, double lambda, List<LearnedInit.Kind> kinds, List<TextFeature.Kind> feats) {
        for (TextFeature.Kind feature : feats) {
            List<float[]> features = new ArrayList<>();
            List<float[]> memories = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                if (StepsToExact.of(runs.get(i)) < 0) continue; // only solved memories teach a start
                if (runs.get(i).record().metrics().originalAccuracy() >= 1.0) continue; // solved by noise: teaches nothing
                features.add(TextFeature.of(feature, model, texts.get(i).tokenIds()));
                memories.add(runs.get(i).bestMemory());
            }
            for (LearnedInit.Kind kind : kinds) {
                boolean embedding = feature == TextFeature.Kind.MEAN_EMBEDDING;
                if (!embedding && kind == LearnedInit.Kind.MEAN) continue; // the mean memory whatever the feature
                String name = prefix + kind.label() + (embedding ? "" : ", " + feature.label());
                inits.put(name, LearnedInit.fit(kind, feature, sha, modelDir.getFileName().toString(), 1, features, memories,
                        lambda));
            }
        }
    }

    private static int intOption(List<String> opts, String name, int dflt) {
        int i = opts.indexOf(name);
        return i < 0 ? dflt : Integer.parseInt(opts.get(i + 1));
    }

    private static List<CramTask> tasks(List<TextSample> texts, LearnedInit init, CausalLM model) {
        List<CramTask> tasks = new ArrayList<>();
        for (TextSample t : texts) {
            float[] start = init == null ? null : init.startFor(model, t.tokenIds());
            tasks.add(new CramTask(t.id(), t.source().id(), t.text(), t.tokenIds(), 1, start));
        }
        return tasks;
    }
}
