package org.cramlab.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.cramlab.text.TextSource;
import org.cramlab.run.Profile;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TextSpec;

/** The loops every experiment's plan is made of, so the experiments only say which grid they use. */
final class Plans {
    private Plans() {}

    /** Natural texts x {@code lengthsForK(K)} x K, for every model of the profile. */
    static List<RunSpec> natural(Profile p, List<Integer> ks, IntFunction<List<Integer>> lengthsForK) {
        List<RunSpec> runs = new ArrayList<>();
        for (String dir : p.modelDirs()) {
            for (int k : ks) {
                for (int len : lengthsForK.apply(k)) {
                    for (int t = 0; t < p.textsPerSource(); t++) {
                        runs.add(new RunSpec(dir, Profile.modelId(dir), naturalText(p, t), len, k, p.seed(), p.settings()));
                    }
                }
            }
        }
        return runs;
    }

    /**
     * Random word sequences, K = 1, each with its own length drawn uniformly from 2..randomMaxLength
     * (the paper's {@code np.random.randint(2, Lmax + 1)}, here seeded).
     */
    static List<RunSpec> random(Profile p) {
        List<RunSpec> runs = new ArrayList<>();
        for (String dir : p.modelDirs()) {
            SplittableRandom rng = new SplittableRandom(p.seed());
            for (int j = 0; j < p.randomTexts(); j++) {
                int len = 2 + rng.nextInt(p.randomMaxLength() - 1);
                runs.add(new RunSpec(dir, Profile.modelId(dir), new TextSpec(TextSource.RANDOM, p.randomVocab(), j, p.seed()), len, 1,
                        p.seed(), p.settings()));
            }
        }
        return runs;
    }

    static TextSpec naturalText(Profile p, int index) {
        return new TextSpec(p.naturalSource(), p.naturalPath(), index, p.seed());
    }

    static List<RunSpec> concat(List<RunSpec> a, List<RunSpec> b) {
        List<RunSpec> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
