package org.cramlab.experiment;

import java.nio.file.Path;
import java.util.Locale;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Progress;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.Crammer;
import org.cramlab.cram.Greedy;
import org.cramlab.cram.RunListener;
import org.cramlab.cram.RunRecord;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;
import org.cramlab.model.Models;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import org.cramlab.run.Profile;
import org.cramlab.run.TextResolver;
import org.cramlab.run.TextSpec;
import org.cramlab.run.Texts;

/**
 * The quickstart: the profile's first held-out passage, truncated to L tokens, crammed into K memory
 * vectors of the profile's first model with the paper's optimiser, then decoded back greedily from the
 * memory alone. The defaults are a case cramlab's default model solves exactly; {@link #CONTRAST_LENGTH}
 * is the same passage too long for the same vectors.
 */
public final class Quickstart implements AutoCloseable {

    /**
     * Tokens of the default passage. One vector of the default model holds about 3 tokens (its model
     * card), so 8 tokens into 4 vectors decode exactly (about 140 steps).
     */
    public static final int DEFAULT_LENGTH = 8;
    /** Memory vectors K of the default case. */
    public static final int DEFAULT_MEM = 4;
    /** The contrast: the same passage at four times the length, more cross-entropy than K vectors remove. */
    public static final int CONTRAST_LENGTH = 32;

    private final Profile profile;
    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final TextResolver texts;

    private Quickstart(Profile profile, CausalLM model, TextTokenizer tokenizer) {
        this.profile = profile;
        this.model = model;
        this.tokenizer = tokenizer;
        this.texts = Texts.forProfile(profile);
    }

    /** Loads the profile's first model and its tokenizer; close it to free the model. */
    public static Quickstart open(Profile profile) {
        Path dir = Path.of(profile.modelDirs().get(0));
        CausalLM model = Models.load(dir);
        try {
            return new Quickstart(profile, model, TextTokenizer.load(dir));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public ModelInfo model() {
        return model.info();
    }

    /**
     * What one cramming did.
     *
     * @param passage the text and its L token ids
     * @param k memory vectors
     * @param record the run record (losses, accuracies, cross-entropies, information gain)
     * @param greedy the greedy decode from the best memory alone
     * @param reconstruction the original next to the greedy decode (one row, two text columns)
     */
    public record Result(TextResolver.Resolved passage, int k, RunRecord record, Greedy greedy, Table reconstruction) {

        /** E.g. {@code solved after 139 steps: accuracy 1.000 (without memory 0.286), cross-entropy 31.2 -> 0.4 nats}. */
        public String summary() {
            RunRecord r = record;
            return String.format(Locale.ROOT, "L = %d, K = %d: %s after %d steps, accuracy %.3f (without memory %.3f),"
                            + " cross-entropy %.1f -> %.1f nats; greedy decode: %s, correct prefix %d of %d tokens",
                    r.text().length(), k, r.trajectory().stopReason(), r.trajectory().steps(), r.metrics().bestAccuracy(),
                    r.metrics().originalAccuracy(), r.metrics().originalCeNats(), r.metrics().bestCeNats(),
                    greedy.exactMatch() ? "exact" : "not exact", greedy.prefixLength(), r.text().length() - 1);
        }
    }

    /**
     * Crams the first held-out passage of the profile's natural source, truncated to {@code length}
     * tokens, into {@code k} vectors (seeded by the profile; the profile's step cap and patience).
     */
    public Result cram(int length, int k, Progress.Starter progress) {
        TextSpec spec = Plans.naturalText(profile, 0);
        TextResolver.Resolved passage = texts.resolve(spec, length, tokenizer);
        CramSettings settings = CramSettings.builder().optSeed(profile.seed())
                .optMaxSteps(profile.maxSteps()).optPatience(profile.patience()).build();
        CramResult crammed;
        try (Progress steps = progress.start("cramming L = " + length + " into K = " + k, profile.maxSteps())) {
            crammed = new Crammer(model, settings).run(
                    new CramTask(spec.id(), spec.source().id(), passage.text(), passage.tokenIds(), k, null),
                    RunListener.showing(steps));
        }
        Greedy greedy = Greedy.decode(model, crammed.bestMemory(), k, passage.tokenIds());
        return new Result(passage, k, crammed.record(), greedy, reconstruction(passage.tokenIds(), greedy));
    }

    /** The original text next to the greedy decode (which starts from the text's first token, never predicted). */
    Table reconstruction(int[] tokens, Greedy greedy) {
        int[] decoded = new int[1 + greedy.generated().length];
        decoded[0] = tokens[0];
        System.arraycopy(greedy.generated(), 0, decoded, 1, greedy.generated().length);
        return Table.create("original and greedy reconstruction",
                StringColumn.create("original", tokenizer.decode(tokens, true)),
                StringColumn.create("decoded from the memory", tokenizer.decode(decoded, true)));
    }

    /**
     * Why one case decoded and a longer one did not, in one sentence: what limits the vectors is the
     * cross-entropy they must remove (the information gain), not the number of tokens.
     */
    public static String why(Result fits, Result tooLong) {
        RunRecord a = fits.record();
        RunRecord b = tooLong.record();
        return String.format(Locale.ROOT, "Capacity follows the information gain, not the length: the %d-token passage"
                        + " carries %.1f nats of cross-entropy and K = %d vectors removed %.1f of them, while the %d-token"
                        + " passage carries %.1f nats, more than the %.1f nats the same number of vectors removed.",
                a.text().length(), a.metrics().originalCeNats(), fits.k(), a.metrics().informationGainNats(),
                b.text().length(), b.metrics().originalCeNats(), b.metrics().informationGainNats());
    }

    @Override
    public void close() {
        try (model; tokenizer) {
            // closes both, the tokenizer first
        }
    }
}
