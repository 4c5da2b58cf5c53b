package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Hashing;
import org.cramlab.cram.CramException;
import org.cramlab.init.ContentSplit;
import org.cramlab.init.ModelSamples;
import org.cramlab.model.CausalLM;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSet;
import org.cramlab.text.TextSets;
import org.cramlab.text.TextSource;

/** The {@code --train-texts} of {@code init}: texts sampled from the model, texts files, run folders. */
final class TrainingTexts {

    private TrainingTexts() {}

    /**
     * What {@code --train-texts} named.
     *
     * @param sampled texts to sample from the model
     * @param files texts files
     * @param runFolders run folders whose solved runs are examples
     */
    record Sources(int sampled, List<Path> files, List<Path> runFolders) {}

    /** Parses the values; one line names a bad one. */
    static Sources parse(List<String> values, Integer length) {
        int sampled = 0;
        List<Path> files = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        for (String v : values) {
            if (v.startsWith("sampled:")) {
                try {
                    sampled += Integer.parseInt(v.substring("sampled:".length()));
                } catch (NumberFormatException e) {
                    throw new CramException("--train-texts " + v + ": expected sampled:N with a number of texts N >= 1");
                }
                if (sampled < 1) throw new CramException("--train-texts " + v + ": expected sampled:N with N >= 1");
            } else if (Files.isDirectory(Path.of(v))) {
                if (!Files.isDirectory(Path.of(v, "records"))) {
                    throw new CramException("--train-texts " + v + " is not a run folder (no records/): expected a folder"
                            + " written by capacity, sweep or init");
                }
                folders.add(Path.of(v));
            } else if (Files.isRegularFile(Path.of(v))) {
                files.add(Path.of(v));
            } else {
                throw new CramException("--train-texts " + v + " is neither sampled:N nor an existing texts file or run folder");
            }
        }
        if ((sampled > 0 || !files.isEmpty()) && length == null) {
            throw new CramException("--train-texts sampled:N and texts files need --length L: how many tokens to cram of each");
        }
        return new Sources(sampled, files, folders);
    }

    /**
     * The texts to cram: {@code sampled} texts from the model (seeded), then each file's texts with at least L
     * tokens cut to L, deduplicated and, with {@code heldOut} > 0, without the held-out share of the content split.
     */
    static List<TextSample> gather(Sources s, CausalLM model, TextTokenizer tok, Integer length, long seed, double heldOut,
            PrintWriter err) {
        List<TextSample> all = new ArrayList<>();
        if (s.sampled() > 0) {
            for (TextSample t : ModelSamples.windows(model, tok, length, s.sampled(), seed)) {
                all.add(named(t.id(), t.text(), t.tokenIds()));
            }
        }
        for (Path f : s.files()) {
            TextSet set = f.getFileName().toString().endsWith(".csv") ? TextSets.chunkCsv(f, tok, length, Integer.MAX_VALUE)
                    : TextSets.lines(f, tok, length, Integer.MAX_VALUE);
            int before = all.size();
            for (TextSample t : set) {
                if (t.tokenIds().length == length) all.add(named(t.id(), t.text(), t.tokenIds()));
            }
            if (all.size() == before) {
                throw new CramException("--train-texts " + f + " has no text of at least --length " + length + " tokens");
            }
        }
        ContentSplit<TextSample> split = ContentSplit.of(all, t -> ContentSplit.tokens(t.tokenIds()), heldOut > 0 ? heldOut : 0.5);
        List<TextSample> train = heldOut > 0 ? split.train() : unique(split);
        if (heldOut > 0) err.println(split.heldOut().size() + " texts held out by content hash (--held-out " + heldOut + ")");
        return train;
    }

    /** Every distinct text, from both sides of the split. */
    private static List<TextSample> unique(ContentSplit<TextSample> split) {
        List<TextSample> out = new ArrayList<>(split.train());
        out.addAll(split.heldOut());
        return out;
    }

    /** A text named by its id and its token content, so a run id never stands for other tokens. */
    static TextSample named(String id, String text, int[] ids) {
        return new TextSample(id + "#" + Hashing.sha256(ContentSplit.tokens(ids)).substring(0, 12), TextSource.LITERAL, text, ids);
    }
}
