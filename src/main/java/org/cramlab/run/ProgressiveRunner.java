package org.cramlab.run;

import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cramlab.core.Hashing;
import org.cramlab.core.Json;
import org.cramlab.cram.Memory;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunRecord;

/**
 * Progressive cramming persisted in a run folder, resumable after a crash at any point:
 * <pre>
 *   stages/&lt;writer&gt;.jsonl                      one line per finished stage: {"key", "text_id", "stage"}
 *   memories/&lt;key&gt;-L&lt;length&gt;.safetensors       that stage's best memory (written before its line)
 * </pre>
 * A text's key hashes everything that determines its stages (model, text id and tokens, K, seed,
 * schedule, criterion, per-stage settings). On a rerun, the stages on disk are read back, and each text
 * continues from its last stage, warm-started from the saved memory; a text whose schedule is done is
 * not touched. A crash loses at most the stages in flight. A task that arrives with stages (a text whose
 * capacity repair continues its schedule from a grid run, see {@code capacity.Repair}) is keyed
 * by those stages too, and its new stages follow them.
 */
public final class ProgressiveRunner {

    /** One persisted stage. */
    record StageLine(String key, String textId, ProgressiveRecord.Stage stage) {}

    private final ProgressiveCrammer crammer;
    private final String modelId;
    private final int hiddenSize;

    /**
     * @param crammer the engine (model, schedule, criterion, per-stage settings)
     * @param modelId the model's id (part of each text's key)
     * @param hiddenSize d, to check memory files
     */
    public ProgressiveRunner(ProgressiveCrammer crammer, String modelId, int hiddenSize) {
        this.crammer = crammer;
        this.modelId = modelId;
        this.hiddenSize = hiddenSize;
    }

    /** Runs (or resumes) every text in {@code folder}; records in task order. */
    public List<ProgressiveRecord> run(List<ProgressiveCrammer.Task> tasks, RunFolder folder, ProgressiveCrammer.Listener listener) {
        Map<String, List<ProgressiveRecord.Stage>> done = read(folder.root());
        List<ProgressiveCrammer.Task> resumed = new ArrayList<>();
        Map<String, String> keyOf = new HashMap<>();
        for (ProgressiveCrammer.Task t : tasks) {
            String key = key(t);
            keyOf.put(t.textId(), key);
            // a task may arrive with stages already (a repaired text continuing: they are persisted elsewhere,
            // and part of its key); the stages persisted under its key follow them
            List<ProgressiveRecord.Stage> stages = new ArrayList<>(t.done());
            done.getOrDefault(key, List.of()).stream().filter(s -> s.index() >= t.done().size()).forEach(stages::add);
            Map<Integer, float[]> memories = new HashMap<>(t.memories());
            for (ProgressiveRecord.Stage s : stages.subList(t.done().size(), stages.size())) {
                if (s.passed() && s.memoryFile() != null) {
                    memories.put(s.length(), Memory.load(folder.root().resolve(s.memoryFile()), t.nMem(), hiddenSize));
                }
            }
            resumed.add(new ProgressiveCrammer.Task(t.textId(), t.textSource(), t.tokenIds(), t.nMem(), t.seed(), stages, memories));
        }
        Path file = folder.root().resolve("stages").resolve(folder.writer() + ".jsonl");
        List<ProgressiveRecord> records = crammer.run(resumed, new ProgressiveCrammer.Listener() {
            @Override
            public void onStep(org.cramlab.cram.RunListener.Step p) {
                listener.onStep(p);
            }

            @Override
            public void onStage(ProgressiveCrammer.Task task, ProgressiveRecord.Stage stage, float[] memory) {
                String key = keyOf.get(task.textId());
                String rel = memoryFile(key, stage.length());
                Memory.save(folder.root().resolve(rel), memory, task.nMem(), hiddenSize,
                        Map.of("text_id", task.textId(), "length", String.valueOf(stage.length()), "key", key));
                ProgressiveRecord.Stage saved = stage.withMemoryFile(rel);
                append(file, Json.COMPACT.toJson(new StageLine(key, task.textId(), saved)));
                listener.onStage(task, saved, memory);
            }

            @Override
            public void onText(ProgressiveRecord record) {
                listener.onText(withFiles(record, keyOf.get(record.textId())));
            }
        });
        return records.stream().map(r -> withFiles(r, keyOf.get(r.textId()))).toList();
    }

    /** Where a stage's memory is saved, relative to the run folder. */
    static String memoryFile(String key, int length) {
        return "memories/" + key + "-L" + length + ".safetensors";
    }

    /** The record with each stage's memory file (the engine does not know the folder). */
    private static ProgressiveRecord withFiles(ProgressiveRecord r, String key) {
        List<ProgressiveRecord.Stage> stages = r.stages().stream()
                .map(s -> s.memoryFile() != null ? s : s.withMemoryFile(memoryFile(key, s.length()))).toList();
        return new ProgressiveRecord(r.textId(), r.textSource(), r.modelId(), r.nMem(), r.seed(), r.policy(), r.criterion(),
                r.tokenIds(), stages, r.horizon(), r.longestPassed(), r.totalSteps(), r.settings());
    }

    /** The key of a text: model, text id and tokens, K, seed, schedule, criterion and stage settings. */
    String key(ProgressiveCrammer.Task t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_id", modelId);
        m.put("text_id", t.textId());
        m.put("tokens", Arrays.toString(t.tokenIds()));
        m.put("n_mem", t.nMem());
        m.put("seed", t.seed());
        m.put("engine", crammer.describe());
        if (!t.done().isEmpty()) { // a continued text: which stages (and memories) it continues from
            m.put("continues", t.done().stream().map(s -> List.of(s.index(), s.length(), s.warmFrom(), s.steps(), s.passed(),
                    String.valueOf(s.memoryFile()))).toList());
        }
        return Hashing.sha256(Json.COMPACT.toJson(m)).substring(0, 16);
    }

    /** Every persisted stage by text key, in file order; unreadable lines (a crash mid-write) are skipped. */
    static Map<String, List<ProgressiveRecord.Stage>> read(Path root) {
        Map<String, List<ProgressiveRecord.Stage>> out = new LinkedHashMap<>();
        Path dir = root.resolve("stages");
        if (!Files.isDirectory(dir)) return out;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new ExperimentException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        for (Path f : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ExperimentException("cannot read stage file " + f + ": " + e.getMessage(), e);
            }
            for (String line : lines) {
                StageLine s;
                try {
                    s = line.isBlank() ? null : Json.COMPACT.fromJson(line, StageLine.class);
                } catch (JsonParseException e) {
                    s = null;
                }
                if (s == null || s.key() == null || s.stage() == null) continue;
                ProgressiveRecord.Stage stage = s.stage();
                List<ProgressiveRecord.Stage> list = out.computeIfAbsent(s.key(), k -> new ArrayList<>());
                if (list.stream().noneMatch(x -> x.index() == stage.index())) list.add(stage); // first writer wins
            }
        }
        out.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(ProgressiveRecord.Stage::index)));
        return out;
    }

    /** Appends one line and forces it to disk; a half-written tail from a crash is ended first. */
    private static synchronized void append(Path file, String json) {
        try {
            Files.createDirectories(file.getParent());
            String prefix = "";
            if (Files.exists(file) && Files.size(file) > 0) {
                try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
                    ByteBuffer last = ByteBuffer.allocate(1);
                    r.read(last, r.size() - 1);
                    if (last.get(0) != '\n') prefix = "\n";
                }
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap((prefix + json + "\n").getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
        } catch (IOException e) {
            throw new ExperimentException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
