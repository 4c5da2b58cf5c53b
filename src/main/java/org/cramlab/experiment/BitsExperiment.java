package org.cramlab.experiment;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.bits.Codec;
import org.cramlab.bits.Comparison;
import org.cramlab.bits.Precision;
import org.cramlab.bits.PrecisionSweep;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.Crammer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.core.Progress;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSets;
import tech.tablesaw.api.Table;
import org.cramlab.run.Profile;

/**
 * What a memory vector really holds, in bits (notebook 09): per text, the size of every method's
 * file (gzip, bzip2, xz, the model alone, cramlab = memory + model) and the precision curve of solved
 * memories (bits per dimension vs exact greedy decoding, before and after straight-through
 * re-optimisation).
 *
 * <p>Texts: held-out book chunks for models trained on books (the default model) and
 * {@link BitsStories} for TinyStories models (a model directory whose name contains "stories").
 * Every measured text is appended to {@code compression.jsonl} / {@code precision.jsonl} in the run
 * folder at once and read back on a rerun.
 *
 * @param name profile name
 * @param modelDirs models to measure
 * @param bookLengths token lengths of the held-out book chunks
 * @param textsPerLength book chunks per length
 * @param stories short stories per TinyStories model
 * @param mem K of the cramlab method
 * @param precision how its memory is stored
 * @param cramSteps cramming steps per chunk in the codec
 * @param curveTexts texts per model for the precision curve
 * @param curveLength their length in tokens (BOS included)
 * @param curveSteps cramming steps to solve them (stop at accuracy 1.0)
 * @param qatSteps straight-through steps at each failing uniform precision (0: none)
 * @param seed text sampling and memory init seed
 */
public record BitsExperiment(String name, List<String> modelDirs, List<Integer> bookLengths, int textsPerLength,
        int stories, int mem, Precision precision, int cramSteps, int curveTexts, int curveLength, int curveSteps,
        int qatSteps, long seed) {

    /** The experiment sized for {@code profile} (smoke: about a minute on 2 CPU cores). */
    public static BitsExperiment forProfile(Profile profile) {
        List<String> models = new ArrayList<>(profile.modelDirs());
        if (profile.name().equals("paper")) {
            return new BitsExperiment("paper", models, List.of(16, 64, 256, 1024, 4096), 3, BitsStories.TEXTS.size(),
                    1, Precision.uniform(8), 300, 5, 4, 2000, 200, profile.seed());
        }
        return new BitsExperiment(profile.name(), models, List.of(16, 64, 256), 1, 3, 1, Precision.uniform(8), 30, 2, 4,
                300, 20, profile.seed());
    }

    /** Adds {@code dir} to the models if it exists and is not there yet (e.g. ../shared/models/stories260K). */
    public BitsExperiment withModelIfPresent(Path dir) {
        if (!Files.isDirectory(dir) || modelDirs.stream().anyMatch(m -> Path.of(m).getFileName().equals(dir.getFileName()))) {
            return this;
        }
        List<String> dirs = new ArrayList<>(modelDirs);
        dirs.add(dir.toString());
        return new BitsExperiment(name, dirs, bookLengths, textsPerLength, stories, mem, precision, cramSteps, curveTexts,
                curveLength, curveSteps, qatSteps, seed);
    }

    /** Adds {@code shared/models/<name>} ({@link #sharedModel}) to the models where it exists. */
    public BitsExperiment withSharedModel(String name) {
        return sharedModel(name).map(this::withModelIfPresent).orElse(this);
    }

    /**
     * {@code shared/models/<name>} in the first folder above the working directory that has it: the
     * repository root's {@code ../shared/models} (also from notebooks/ and from git worktrees).
     */
    public static java.util.Optional<Path> sharedModel(String name) {
        for (Path d = Path.of("").toAbsolutePath().getParent(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared").resolve("models").resolve(name);
            if (Files.isRegularFile(p.resolve("config.json"))) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    /** One text of the experiment: id, text and the length asked for (0: a whole story). */
    record Text(String id, String text, int length) {}

    static boolean storiesModel(String dir) {
        return Profile.modelId(dir).toLowerCase(java.util.Locale.ROOT).contains("stories");
    }

    List<Text> texts(String dir, TextTokenizer tok) {
        List<Text> out = new ArrayList<>();
        if (storiesModel(dir)) {
            for (int i = 0; i < Math.min(stories, BitsStories.TEXTS.size()); i++) {
                out.add(new Text("story:" + i, BitsStories.TEXTS.get(i), 0));
            }
            return out;
        }
        BookCorpus corpus = BookCorpus.load();
        for (int length : bookLengths) {
            for (TextSample s : TextSets.bookChunks(corpus, tok, length, textsPerLength, seed + length).samples()) {
                out.add(new Text(s.id(), s.text(), length));
            }
        }
        return out;
    }

    /** The compression table: one row per model, text and method (see {@link Comparison.Row}). */
    public Table compression(Path out, Progress.Starter progress) {
        Path file = out.resolve("compression.jsonl");
        Map<String, List<Map<String, Object>>> done = JsonlRows.readBack(file);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String dir : modelDirs) {
            String modelId = Profile.modelId(dir);
            try (CausalLM model = Models.load(Path.of(dir)); TextTokenizer tok = TextTokenizer.load(Path.of(dir))) {
                List<Text> texts = texts(dir, tok);
                String label = "cramlab K=" + mem + " " + precision;
                try (Progress p = progress.start("compression, " + modelId, texts.size());
                        Codec alone = Codec.builder(model, Path.of(dir)).optMem(0).build();
                        Codec crammed = Codec.builder(model, Path.of(dir)).optMem(mem).optPrecision(precision)
                                .optSteps(cramSteps).optSeed(seed).build()) {
                    for (Text t : texts) {
                        String key = modelId + "|" + t.id() + "|" + t.length() + "|" + label + "|" + cramSteps;
                        p.working(t.id());
                        if (!done.containsKey(key)) {
                            byte[] data = t.text().getBytes(StandardCharsets.UTF_8);
                            int tokens = tok.encode(t.text(), false).length;
                            List<Map<String, Object>> measured = new ArrayList<>();
                            for (Comparison.Row r : Comparison.measure(data, alone, List.of(crammed), List.of(label))) {
                                measured.add(row(key, modelId, t, tokens, r));
                            }
                            JsonlRows.append(file, measured);
                            done.put(key, measured);
                        }
                        rows.addAll(done.get(key));
                        p.advance();
                    }
                }
            }
        }
        return BitsTables.compression(rows);
    }

    private static Map<String, Object> row(String key, String modelId, Text t, int tokens, Comparison.Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        m.put("model", modelId);
        m.put("text", t.id());
        m.put("tokens", tokens);
        m.put("bytes", r.originalBytes());
        m.put("method", r.method());
        m.put("size_bytes", r.sizeBytes());
        m.put("bits_per_byte", r.bitsPerByte());
        m.put("ratio", r.ratio());
        m.put("header_bytes", r.headerBytes());
        m.put("memory_bytes", r.memoryBytes());
        m.put("token_bytes", r.tokenBytes());
        m.put("memory_share", r.memoryShare());
        m.put("token_share", r.tokenShare());
        m.put("note", r.note());
        return m;
    }

    /**
     * The precision curve: per model, {@link #curveTexts} texts of {@link #curveLength} tokens are
     * crammed into K vectors until solved, then stored at every {@link Precision#curve()} precision and
     * decoded greedily; failing uniform precisions get {@link #qatSteps} straight-through steps.
     */
    public Table precisionCurve(Path out, Progress.Starter progress) {
        Path file = out.resolve("precision.jsonl");
        Map<String, List<Map<String, Object>>> done = JsonlRows.readBack(file);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String dir : modelDirs) {
            String modelId = Profile.modelId(dir);
            try (CausalLM model = Models.load(Path.of(dir)); TextTokenizer tok = TextTokenizer.load(Path.of(dir))) {
                List<Text> texts = curveTexts(dir, tok);
                int d = model.info().hiddenSize();
                try (Progress p = progress.start("precision curve, " + modelId, texts.size())) {
                    for (int i = 0; i < texts.size(); i++) {
                        Text t = texts.get(i);
                        String key = modelId + "|" + t.id() + "|" + curveLength + "|" + mem + "|" + curveSteps + "|" + qatSteps;
                        p.working(t.id());
                        if (!done.containsKey(key)) {
                            List<Map<String, Object>> measured = curveRows(model, tok, t, d, key, modelId, i);
                            JsonlRows.append(file, measured);
                            done.put(key, measured);
                        }
                        rows.addAll(done.get(key));
                        p.advance();
                    }
                }
            }
        }
        return BitsTables.precision(rows);
    }

    private List<Text> curveTexts(String dir, TextTokenizer tok) {
        List<Text> out = new ArrayList<>();
        if (storiesModel(dir)) {
            for (int i = 0; i < Math.min(curveTexts, BitsStories.TEXTS.size()); i++) {
                out.add(new Text("story:" + i, BitsStories.TEXTS.get(i), curveLength));
            }
            return out;
        }
        for (TextSample s : TextSets.bookChunks(BookCorpus.load(), tok, curveLength, curveTexts, seed + 1).samples()) {
            out.add(new Text(s.id(), s.text(), curveLength));
        }
        return out;
    }

    private List<Map<String, Object>> curveRows(CausalLM model, TextTokenizer tok, Text t, int d, String key,
            String modelId, int index) {
        int[] ids = tok.encode(t.text(), true, curveLength);
        CramSettings s = CramSettings.builder().optMaxSteps(curveSteps).optPatience(curveSteps).optSeed(seed + index)
                .build();
        CramResult solved = new Crammer(model, s).run(new CramTask(t.id(), "bits", t.text(), ids, mem, null));
        double textBits = solved.record().metrics().originalCeNats() / Math.log(2);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<PrecisionSweep.Point> points = PrecisionSweep.sweep(model, solved.bestMemory(), mem, ids, Precision.curve());
        for (PrecisionSweep.Point pt : points) {
            PrecisionSweep.Point after = pt;
            if (!pt.exact() && qatSteps > 0 && pt.precision().kind() == Precision.Kind.UNIFORM && points.get(0).exact()) {
                after = PrecisionSweep.quantisationAware(model, solved.bestMemory(), mem, ids, pt.precision(), qatSteps, 1e-2);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", key);
            m.put("model", modelId);
            m.put("text", t.id());
            m.put("tokens", ids.length);
            m.put("k", mem);
            m.put("d", d);
            m.put("text_bits", textBits);
            m.put("solved", points.get(0).exact());
            m.put("precision", pt.precision().toString());
            m.put("bits_per_dim", pt.bitsPerDimension());
            m.put("memory_bits", pt.memoryBits());
            m.put("exact", pt.exact());
            m.put("prefix", pt.prefix());
            m.put("exact_after_qat", after.exact());
            m.put("qat_steps", after.qatSteps());
            rows.add(m);
        }
        return rows;
    }
}
