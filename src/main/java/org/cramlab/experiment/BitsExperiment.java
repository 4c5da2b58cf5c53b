package org.cramlab.experiment;

import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cramlab.bits.BitsException;
import org.cramlab.bits.Codec;
import org.cramlab.bits.Comparison;
import org.cramlab.bits.Precision;
import org.cramlab.bits.PrecisionSweep;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.Json;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.Crammer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.notebook.Progress;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSets;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What a memory vector really holds, in bits (notebook 09): per text, the size of every method's
 * file (gzip, bzip2, xz, the model alone, cramlab = memory + model) and the precision curve of solved
 * memories (bits per dimension vs exact greedy decoding, before and after straight-through
 * re-optimisation).
 *
 * <p>Texts: held-out book chunks for models trained on books (the default model) and
 * {@link ShortStories} for TinyStories models (a model directory whose name contains "stories").
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
            return new BitsExperiment("paper", models, List.of(16, 64, 256, 1024, 4096), 3, ShortStories.TEXTS.size(),
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
            for (int i = 0; i < Math.min(stories, ShortStories.TEXTS.size()); i++) {
                out.add(new Text("story:" + i, ShortStories.TEXTS.get(i), 0));
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
        Map<String, List<Map<String, Object>>> done = readBack(file);
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
                            append(file, measured);
                            done.put(key, measured);
                        }
                        rows.addAll(done.get(key));
                        p.advance();
                    }
                }
            }
        }
        return compressionTable(rows);
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

    static Table compressionTable(List<Map<String, Object>> rows) {
        Table t = Table.create("compression",
                StringColumn.create("model"), StringColumn.create("text"), IntColumn.create("tokens"),
                IntColumn.create("bytes"), StringColumn.create("method"), IntColumn.create("size_bytes"),
                DoubleColumn.create("bits_per_byte"), DoubleColumn.create("ratio"), IntColumn.create("header_bytes"),
                IntColumn.create("memory_bytes"), IntColumn.create("token_bytes"), DoubleColumn.create("memory_share"),
                DoubleColumn.create("token_share"), StringColumn.create("note"));
        for (Map<String, Object> r : rows) {
            t.stringColumn("model").append((String) r.get("model"));
            t.stringColumn("text").append((String) r.get("text"));
            t.intColumn("tokens").append(num(r, "tokens").intValue());
            t.intColumn("bytes").append(num(r, "bytes").intValue());
            t.stringColumn("method").append((String) r.get("method"));
            t.intColumn("size_bytes").append(num(r, "size_bytes").intValue());
            t.doubleColumn("bits_per_byte").append(round(num(r, "bits_per_byte").doubleValue()));
            t.doubleColumn("ratio").append(round(num(r, "ratio").doubleValue()));
            t.intColumn("header_bytes").append(num(r, "header_bytes").intValue());
            t.intColumn("memory_bytes").append(num(r, "memory_bytes").intValue());
            t.intColumn("token_bytes").append(num(r, "token_bytes").intValue());
            t.doubleColumn("memory_share").append(round(num(r, "memory_share").doubleValue()));
            t.doubleColumn("token_share").append(round(num(r, "token_share").doubleValue()));
            t.stringColumn("note").append((String) r.get("note"));
        }
        return t;
    }

    /** Mean bits per byte per model and method (over texts). */
    public static Table summary(Table compression) {
        return compression.summarize("bits_per_byte", "size_bytes", "bytes",
                tech.tablesaw.aggregate.AggregateFunctions.mean).by("model", "method");
    }

    /**
     * The precision curve: per model, {@link #curveTexts} texts of {@link #curveLength} tokens are
     * crammed into K vectors until solved, then stored at every {@link Precision#curve()} precision and
     * decoded greedily; failing uniform precisions get {@link #qatSteps} straight-through steps.
     */
    public Table precisionCurve(Path out, Progress.Starter progress) {
        Path file = out.resolve("precision.jsonl");
        Map<String, List<Map<String, Object>>> done = readBack(file);
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
                            append(file, measured);
                            done.put(key, measured);
                        }
                        rows.addAll(done.get(key));
                        p.advance();
                    }
                }
            }
        }
        return precisionTable(rows);
    }

    private List<Text> curveTexts(String dir, TextTokenizer tok) {
        List<Text> out = new ArrayList<>();
        if (storiesModel(dir)) {
            for (int i = 0; i < Math.min(curveTexts, ShortStories.TEXTS.size()); i++) {
                out.add(new Text("story:" + i, ShortStories.TEXTS.get(i), curveLength));
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

    static Table precisionTable(List<Map<String, Object>> rows) {
        Table t = Table.create("precision",
                StringColumn.create("model"), StringColumn.create("text"), IntColumn.create("tokens"),
                IntColumn.create("k"), DoubleColumn.create("text_bits"), BooleanColumn.create("solved"),
                StringColumn.create("precision"), IntColumn.create("bits_per_dim"), IntColumn.create("memory_bits"),
                BooleanColumn.create("exact"), IntColumn.create("prefix"), BooleanColumn.create("exact_after_qat"),
                IntColumn.create("qat_steps"));
        for (Map<String, Object> r : rows) {
            t.stringColumn("model").append((String) r.get("model"));
            t.stringColumn("text").append((String) r.get("text"));
            t.intColumn("tokens").append(num(r, "tokens").intValue());
            t.intColumn("k").append(num(r, "k").intValue());
            t.doubleColumn("text_bits").append(round(num(r, "text_bits").doubleValue()));
            t.booleanColumn("solved").append((Boolean) r.get("solved"));
            t.stringColumn("precision").append((String) r.get("precision"));
            t.intColumn("bits_per_dim").append(num(r, "bits_per_dim").intValue());
            t.intColumn("memory_bits").append(num(r, "memory_bits").intValue());
            t.booleanColumn("exact").append((Boolean) r.get("exact"));
            t.intColumn("prefix").append(num(r, "prefix").intValue());
            t.booleanColumn("exact_after_qat").append((Boolean) r.get("exact_after_qat"));
            t.intColumn("qat_steps").append(num(r, "qat_steps").intValue());
        }
        return t;
    }

    /**
     * Per model and text: the fewest uniform bits per dimension with exact greedy decoding (at that b
     * and every b above it), before and after straight-through re-optimisation, the memory's bits at
     * that b and the text's own bits (cross-entropy under the model alone).
     */
    public static Table fewestBits(Table precision) {
        Table t = Table.create("fewest-bits", StringColumn.create("model"), StringColumn.create("text"),
                IntColumn.create("tokens"), DoubleColumn.create("text_bits"), IntColumn.create("fewest_bits"),
                IntColumn.create("memory_bits"), IntColumn.create("fewest_bits_after_qat"));
        for (Table g : precision.splitOn("model", "text").asTableList()) {
            if (!g.booleanColumn("solved").get(0)) {
                continue;
            }
            Integer plain = fewest(g, "exact");
            Integer qat = fewest(g, "exact_after_qat");
            t.stringColumn("model").append(g.stringColumn("model").get(0));
            t.stringColumn("text").append(g.stringColumn("text").get(0));
            t.intColumn("tokens").append(g.intColumn("tokens").get(0));
            t.doubleColumn("text_bits").append(g.doubleColumn("text_bits").get(0));
            appendOrMissing(t.intColumn("fewest_bits"), plain);
            Integer memBits = null;
            for (int i = 0; plain != null && i < g.rowCount(); i++) {
                if (g.stringColumn("precision").get(i).equals("int" + plain)) {
                    memBits = g.intColumn("memory_bits").get(i);
                }
            }
            appendOrMissing(t.intColumn("memory_bits"), memBits);
            appendOrMissing(t.intColumn("fewest_bits_after_qat"), qat);
        }
        return t;
    }

    private static Integer fewest(Table g, String column) {
        Integer fewest = null;
        for (int b = 16; b >= 1; b--) {
            for (int i = 0; i < g.rowCount(); i++) {
                if (g.stringColumn("precision").get(i).equals("int" + b)) {
                    if (!g.booleanColumn(column).get(i)) {
                        return fewest;
                    }
                    fewest = b;
                }
            }
        }
        return fewest;
    }

    private static void appendOrMissing(IntColumn c, Integer v) {
        if (v == null) {
            c.appendMissing();
        } else {
            c.append(v);
        }
    }

    private static Number num(Map<String, Object> r, String key) {
        Object v = r.get(key);
        if (!(v instanceof Number n)) {
            throw new BitsException("row " + r.get("key") + ": field " + key + " is " + v + ", expected a number");
        }
        return n;
    }

    private static double round(double x) {
        return Math.round(x * 1e4) / 1e4;
    }

    /** Rows of a jsonl file grouped by their "key" (in file order); empty when the file does not exist. */
    static Map<String, List<Map<String, Object>>> readBack(Path file) {
        Map<String, List<Map<String, Object>>> byKey = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return byKey;
        }
        try {
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Map<String, Object> row = Json.COMPACT.fromJson(line, new TypeToken<Map<String, Object>>() {}.getType());
                    byKey.computeIfAbsent((String) row.get("key"), k -> new ArrayList<>()).add(row);
                } catch (RuntimeException e) {
                    throw new ExperimentException(file + " line " + n + " is not a JSON row: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new ExperimentException("cannot read " + file + ": " + e.getMessage());
        }
        return byKey;
    }

    /** Appends one text's rows at once, so a crash loses at most the text in flight. */
    static void append(Path file, List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : rows) {
            sb.append(Json.COMPACT.toJson(r)).append('\n');
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, sb, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ExperimentException("cannot append to " + file + ": " + e.getMessage());
        }
    }
}
