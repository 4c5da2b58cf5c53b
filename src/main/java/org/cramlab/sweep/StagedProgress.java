package org.cramlab.sweep;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.cramlab.core.Json;

/**
 * What a staged plan's sweep has finished in a run folder, read from files alone (no model): the stage lines
 * every text's stages left in {@code stages/*.jsonl}, and the sweep's own markers in {@code staged/}:
 * <pre>
 *   staged/shard-&lt;i&gt;-of-&lt;n&gt;.json   a shard's staged pass finished: its texts, their capacity, steps
 *   staged/plan.json               the whole plan finished (after its repair, if it asks for one): the capacity
 * </pre>
 * A marker is written (atomically) only after the work it names is on disk, so a task killed at any point leaves
 * either no marker (its work is resumed from the stage lines and run records) or a true one.
 */
public final class StagedProgress {
    /** Sub-folder of the run folder holding the markers. */
    public static final String DIR = "staged";
    private static final String PLAN_MARKER = "plan.json";

    /**
     * A finished shard's staged pass (or, with {@code shard} 0/1, the whole plan including its repair).
     *
     * @param shard i/n
     * @param texts the text ids it ran (all finished)
     * @param capacity the decoding capacity over those texts only
     * @param steps optimisation steps it spent (stages read back included)
     * @param strategy the strategy as its result names it (e.g. warm, warm+repair)
     */
    public record Marker(String shard, List<String> texts, int capacity, long steps, String strategy) {
        public Marker {
            texts = List.copyOf(texts);
        }
    }

    /**
     * A text's stages as its stage lines record them (over every stage file; a repaired text's continued stages
     * included).
     *
     * @param stages stage lines
     * @param lastLength length of the latest stage (0: none)
     * @param lastPassed whether that stage passed
     * @param longestPassed the longest passed stage (0: none)
     * @param steps optimisation steps of those stages
     */
    public record TextStages(int stages, int lastLength, boolean lastPassed, int longestPassed, long steps) {
        static final TextStages NONE = new TextStages(0, 0, false, 0, 0);
    }

    private final Map<String, Marker> shardMarkers;
    private final Optional<Marker> planMarker;
    private final Map<String, TextStages> stages;
    private final int stageFileShardCount;

    private StagedProgress(Map<String, Marker> shardMarkers, Optional<Marker> planMarker, Map<String, TextStages> stages,
            int stageFileShardCount) {
        this.shardMarkers = shardMarkers;
        this.planMarker = planMarker;
        this.stages = stages;
        this.stageFileShardCount = stageFileShardCount;
    }

    /** Reads the markers and stage lines of {@code runDir} (an empty or missing folder: nothing finished). */
    public static StagedProgress read(Path runDir) {
        Map<String, Marker> shards = new LinkedHashMap<>();
        Optional<Marker> plan = Optional.empty();
        for (Path f : list(runDir.resolve(DIR), ".json")) {
            Marker m = readMarker(f);
            if (f.getFileName().toString().equals(PLAN_MARKER)) {
                plan = Optional.of(m);
            } else {
                shards.put(m.shard(), m);
            }
        }
        int seen = list(runDir.resolve("stages"), ".jsonl").stream()
                .flatMap(f -> Shard.ofWriterName(f.getFileName().toString().replaceFirst("\\.jsonl$", "")).stream())
                .mapToInt(Shard::count).max().orElse(1);
        return new StagedProgress(shards, plan, readStages(runDir), seen);
    }

    /** The whole plan's marker, once the plan (and its repair) finished. */
    public Optional<Marker> plan() {
        return planMarker;
    }

    /** The marker of shard {@code s}, once its staged pass finished. */
    public Optional<Marker> shard(Shard s) {
        return Optional.ofNullable(shardMarkers.get(s.toString()));
    }

    /** Whether a finished shard (of any shard count) or the finished plan ran text {@code textId}. */
    public boolean textFinished(String textId) {
        return planMarker.isPresent() || shardMarkers.values().stream().anyMatch(m -> m.texts().contains(textId));
    }

    /** The stage lines of {@code textId}. */
    public TextStages stages(String textId) {
        return stages.getOrDefault(textId, TextStages.NONE);
    }

    /**
     * The shard count the folder's files name: the largest of its shard markers and of its stage files
     * ({@code stages/shard-i-of-n-<writer>.jsonl}); 1 when none names one.
     */
    public int shardCountSeen() {
        int n = shardMarkers.keySet().stream().mapToInt(s -> Shard.parse(s).count()).max().orElse(1);
        return Math.max(n, stageFileShardCount);
    }

    /** Writes shard {@code m.shard()}'s marker ({@code 0/1}: the whole plan's), replacing any earlier one. */
    public static void write(Path runDir, Marker m) {
        Shard s = Shard.parse(m.shard());
        String name = s.count() == 1 ? PLAN_MARKER : "shard-" + s.index() + "-of-" + s.count() + ".json";
        Path target = runDir.resolve(DIR).resolve(name);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), name, ".tmp");
            Files.writeString(tmp, Json.writePretty(m) + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SweepException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static Marker readMarker(Path f) {
        try {
            Marker m = Json.read(Files.readString(f, StandardCharsets.UTF_8), Marker.class);
            if (m == null || m.shard() == null || m.texts() == null) throw new SweepException("fields missing");
            Shard.parse(m.shard());
            return m;
        } catch (IOException | RuntimeException e) {
            throw new SweepException("cannot read staged sweep marker " + f + ": " + e.getMessage()
                    + " (delete it to run that shard again)", e);
        }
    }

    /** Per text id, its stage lines over every file in {@code stages/}; one per (text key, stage index). */
    private static Map<String, TextStages> readStages(Path runDir) {
        Map<String, List<JsonObject>> byText = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Path f : list(runDir.resolve("stages"), ".jsonl")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new SweepException("cannot read stage file " + f + ": " + e.getMessage(), e);
            }
            for (String line : lines) {
                JsonObject o = parse(line);
                if (o == null || !o.has("text_id") || !o.has("stage") || !o.has("key")) continue; // a crash mid-write
                JsonObject stage = o.getAsJsonObject("stage");
                if (!seen.add(o.get("key").getAsString() + "#" + stage.get("index").getAsInt())) continue; // first writer wins
                byText.computeIfAbsent(o.get("text_id").getAsString(), k -> new ArrayList<>()).add(stage);
            }
        }
        Map<String, TextStages> out = new LinkedHashMap<>();
        byText.forEach((id, list) -> {
            list.sort(java.util.Comparator.comparingInt(s -> s.get("index").getAsInt()));
            JsonObject last = list.get(list.size() - 1);
            int longest = list.stream().filter(s -> s.get("passed").getAsBoolean()).mapToInt(s -> s.get("length").getAsInt())
                    .max().orElse(0);
            long steps = list.stream().mapToLong(s -> s.get("steps").getAsLong()).sum();
            out.put(id, new TextStages(list.size(), last.get("length").getAsInt(), last.get("passed").getAsBoolean(), longest, steps));
        });
        return out;
    }

    private static JsonObject parse(String line) {
        if (line.isBlank()) return null;
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Files of {@code dir} ending in {@code suffix}, by name; none when the folder does not exist. */
    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new SweepException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
