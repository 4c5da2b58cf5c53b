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
 * held-out text from each init with the same budget. Texts: L-token windows starting at each sentence of
 * cramlab's short stories, split train/held-out by content hash.
 *
 * <p>Run: {@code java -cp lib/cramlab.jar org.cramlab.experiment.Initialisations MODEL_DIR L STEPS OUT_DIR [LAMBDA]}; it writes the fitted {@code mean}, {@code neighbour} and
 * {@code encoder} init files to OUT_DIR, ready for {@code cram --init}.
 */
public final class Initialisations {

    private Initialisations() {}

    /** Held-out share of the texts (by content hash). */
    static final double HELD_OUT = 0.3;

    /** L-token windows, one per sentence start of each short story (BOS first, as the tokenizer adds it). */
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

    /** Steps (updates) before the first step whose accuracy is 1.0; -1 when never exact. */
    static int stepsToExact(CramResult r) {
        List<Double> acc = r.record().trajectory().accuracies();
        for (int i = 0; i < acc.size(); i++) {
            if (acc.get(i) >= 1.0) return i;
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]);
        int length = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        Path out = Files.createDirectories(Path.of(args[3]));
        double lambda = args.length > 4 ? Double.parseDouble(args[4]) : LearnedInit.DEFAULT_LAMBDA;
        try (CausalLM model = Models.load(modelDir); TextTokenizer tok = new ModelDirectory(modelDir).tokenizer()) {
            ContentSplit<TextSample> split = ContentSplit.of(windows(tok, length), t -> ContentSplit.tokens(t.tokenIds()),
                    HELD_OUT);
            CramSettings settings = CramSettings.builder().optMaxSteps(steps).optPatience(steps).optGreedyCheck(false)
                    .build();
            BatchedCrammer crammer = new BatchedCrammer(model, settings);
            long t0 = System.nanoTime();
            List<CramResult> train = crammer.run(tasks(split.train(), null, model), RunListener.NONE);
            List<float[]> features = new ArrayList<>();
            List<float[]> memories = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                if (stepsToExact(train.get(i)) < 0) continue; // only solved memories teach a start
                features.add(TextFeature.meanEmbedding(model, split.train().get(i).tokenIds()));
                memories.add(train.get(i).bestMemory());
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "L=%d: %d training texts (%d solved, %.0f s), %d held out%n", length,
                    split.train().size(), memories.size(), trainSeconds, split.heldOut().size());
            String sha = LearnedInit.fingerprint(modelDir);
            Map<String, LearnedInit> inits = new LinkedHashMap<>();
            inits.put("random", null);
            for (LearnedInit.Kind kind : LearnedInit.Kind.values()) {
                LearnedInit init = LearnedInit.fit(kind, sha, modelDir.getFileName().toString(), 1, features, memories,
                        lambda);
                init.save(out.resolve(kind.label() + ".safetensors"));
                inits.put(kind.label(), init);
            }
            System.out.println("| init | solved | median steps to exact | mean | ratio to random | mean best accuracy |");
            System.out.println("| --- | --- | --- | --- | --- | --- |");
            double randomMedian = Double.NaN;
            for (Map.Entry<String, LearnedInit> e : inits.entrySet()) {
                List<CramResult> rs = crammer.run(tasks(split.heldOut(), e.getValue(), model), RunListener.NONE);
                int[] st = rs.stream().mapToInt(Initialisations::stepsToExact).map(s -> s < 0 ? steps : s).sorted().toArray();
                double median = st.length % 2 == 1 ? st[st.length / 2] : (st[st.length / 2 - 1] + st[st.length / 2]) / 2.0;
                if (e.getValue() == null) randomMedian = median;
                long solved = rs.stream().filter(r -> stepsToExact(r) >= 0).count();
                double acc = rs.stream().mapToDouble(r -> r.record().metrics().bestAccuracy()).average().orElse(0);
                System.out.printf(Locale.ROOT, "| %s | %d/%d | %.1f | %.1f | %.2f | %.4f |%n", e.getKey(), solved, rs.size(),
                        median, Arrays.stream(st).average().orElse(0), median / randomMedian, acc);
            }
        }
    }

    private static List<CramTask> tasks(List<TextSample> texts, LearnedInit init, CausalLM model) {
        List<CramTask> tasks = new ArrayList<>();
        for (TextSample t : texts) {
            float[] start = init == null ? null : init.memoryFor(TextFeature.meanEmbedding(model, t.tokenIds()));
            tasks.add(new CramTask(t.id(), t.source().id(), t.text(), t.tokenIds(), 1, start));
        }
        return tasks;
    }
}
