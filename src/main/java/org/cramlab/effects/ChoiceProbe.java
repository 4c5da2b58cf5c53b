package org.cramlab.effects;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cramlab.cram.Evaluator;

/**
 * The harm experiment's multiple-choice probe, built from the held-out texts' own continuations (the peer
 * used 5-shot MMLU, which models this small cannot answer): all texts are cut to their common length s;
 * each text's question is its first s - m tokens, its answer its own last m tokens, and its distractors the
 * same m-token span of up to {@link #DISTRACTORS} other texts (the next ones, cyclically). The model picks
 * the option it finds most likely after the prefix vector; ties count as wrong.
 *
 * <p>Every option has the same length and the same question before it, and the model is causal, so the
 * question's targets score the same under every option: comparing the options' mean loss over all targets
 * (one {@link Evaluator} pass) compares exactly their continuations' log-likelihoods.
 */
final class ChoiceProbe {

    /** Tokens per option at most (fewer when the texts are short: half their common length). */
    static final int CHUNK = 8;
    /** Wrong options per question at most (fewer with fewer other texts). */
    static final int DISTRACTORS = 3;

    private final List<int[][]> questions; // per text: the true option's full sequence, then the distractors'

    private ChoiceProbe(List<int[][]> questions) {
        this.questions = questions;
    }

    /** The probe for {@code texts}; {@link #isEmpty()} when there are fewer than 2 texts or one is shorter than 2 tokens. */
    static ChoiceProbe of(List<int[]> texts) {
        int n = texts.size();
        int span = texts.stream().mapToInt(t -> t.length).min().orElse(0);
        if (n < 2 || span < 2) {
            return new ChoiceProbe(List.of());
        }
        int m = Math.min(CHUNK, span / 2);
        int context = span - m;
        int choices = 1 + Math.min(DISTRACTORS, n - 1);
        List<int[][]> questions = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            int[][] options = new int[choices][];
            for (int i = 0; i < choices; i++) {
                int[] option = Arrays.copyOf(texts.get(j), span); // the question, then text j's own span ...
                System.arraycopy(texts.get((j + i) % n), context, option, context, m); // ... or another text's
                options[i] = option;
            }
            questions.add(options);
        }
        return new ChoiceProbe(questions);
    }

    boolean isEmpty() {
        return questions.isEmpty();
    }

    /** Text j's options as full sequences (question + continuation), the true one first. */
    int[][] options(int j) {
        return questions.get(j);
    }

    /** Options per question (1 + distractors); 0 for an empty probe. */
    int choices() {
        return questions.isEmpty() ? 0 : questions.get(0).length;
    }

    /**
     * Per text, 1 when its true continuation is strictly the most likely option after {@code prefix}, else 0.
     *
     * @param prefix row-major [K, d], or null for no prefix
     */
    double[] answers(Evaluator e, float[] prefix, int k) {
        List<int[]> all = questions.stream().flatMap(Arrays::stream).toList();
        List<Evaluator.Score> scores = prefix == null ? e.scoreAlone(all)
                : e.score(all.stream().map(t -> new Evaluator.Item(t, prefix, k)).toList());
        double[] out = new double[questions.size()];
        int c = choices();
        for (int j = 0; j < out.length; j++) {
            double truth = scores.get(j * c).loss();
            boolean best = true;
            for (int i = 1; i < c; i++) {
                best &= truth < scores.get(j * c + i).loss();
            }
            out[j] = best ? 1 : 0;
        }
        return out;
    }
}
