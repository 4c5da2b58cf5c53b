package org.cramlab.init;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.text.Sentences;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSource;

/**
 * Training texts without a corpus: stories sampled from the frozen model itself at temperature 1 (from BOS,
 * until EOS or {@link #STORY_TOKENS} tokens), cut like the held-out story windows: the first L tokens of the text
 * from each sentence on, as the tokenizer encodes it. Windows of the story's start alone would be nearly all "Once upon a time": the model is
 * almost certain there. Seeded: the same seed gives the same texts.
 */
public final class ModelSamples {

    /** Most tokens of one sampled story. */
    public static final int STORY_TOKENS = 256;

    private ModelSamples() {}

    /** {@code count} distinct windows of {@code length} tokens (ids {@code sampled:<story>:<sentence>}). */
    public static List<TextSample> windows(CausalLM model, TextTokenizer tok, int length, int count, long seed) {
        if (length < 2) {
            throw new InitException("sampled texts need a length >= 2 (BOS plus tokens), got " + length);
        }
        List<TextSample> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int s = 0; out.size() < count; s++) {
            if (s >= 20L * count + 100) {
                throw new InitException("sampled " + s + " stories but found only " + out.size() + " distinct " + length
                        + "-token windows, not " + count);
            }
            int[] story = story(model, tok.bosId(), tok.eosId(), new SplittableRandom(seed + s));
            List<String> sentences = Sentences.split(tok.decode(story, true));
            for (int i = 0; i < sentences.size() && out.size() < count; i++) {
                String rest = String.join(" ", sentences.subList(i, sentences.size()));
                int[] ids = tok.encode(rest, true, length);
                if (ids.length == length && seen.add(Arrays.toString(ids))) {
                    out.add(new TextSample("sampled:" + s + ":" + i, TextSource.LITERAL, rest, ids));
                }
            }
        }
        return out;
    }

    /** One story: BOS, then tokens drawn from softmax(logits) until EOS (not kept) or {@link #STORY_TOKENS}. */
    static int[] story(CausalLM model, int bosId, int eosId, SplittableRandom rng) {
        int max = Math.min(STORY_TOKENS, model.info().maxPositions());
        int[] ids = new int[max];
        ids[0] = bosId;
        int n = 1;
        try (NDManager gen = model.manager().newSubManager(); CausalLM.DecodeState state = model.newDecodeState(gen)) {
            while (n < max) {
                int next;
                try (NDManager step = gen.newSubManager()) {
                    NDArray x = model.embed(step.create(new long[][] {{ids[n - 1]}}));
                    NDArray logits = model.forwardIncremental(x, state).get(new NDIndex("0, -1"));
                    next = draw(logits.toType(DataType.FLOAT64, false).toDoubleArray(), bosId, rng);
                }
                if (next == eosId) break;
                ids[n++] = next;
            }
        }
        return Arrays.copyOf(ids, n);
    }

    /** A token drawn from softmax(logits) at temperature 1, BOS excluded (it only starts a story). */
    static int draw(double[] logits, int bosId, SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < logits.length; v++) if (v != bosId) max = Math.max(max, logits[v]);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int v = 0; v < logits.length; v++) {
            p[v] = v == bosId ? 0 : Math.exp(logits[v] - max);
            sum += p[v];
        }
        double u = rng.nextDouble() * sum;
        for (int v = 0; v < p.length; v++) {
            u -= p[v];
            if (u < 0) return v;
        }
        for (int v = p.length - 1; v >= 0; v--) if (p[v] > 0) return v; // rounding left u >= 0
        throw new InitException("no token to sample: every logit is masked");
    }
}
