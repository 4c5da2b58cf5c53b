package org.cramlab.run;

import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.cramlab.core.Json;
import org.cramlab.cram.RunRecord;

/**
 * The merged records of a run folder: every {@code records/*.jsonl}, one record per run id.
 *
 * <p>Files are read in name order and the first record of an id wins (two shards that both ran a run
 * produce equivalent records). A line that does not parse (the half-written tail of a crashed writer) is
 * skipped with a warning, kept in {@link #warnings()} and logged.
 */
public final class RecordStore {
    private static final System.Logger LOG = System.getLogger(RecordStore.class.getName());

    private final Map<String, RunRecord> byId;
    private final List<String> warnings;

    private RecordStore(Map<String, RunRecord> byId, List<String> warnings) {
        this.byId = byId;
        this.warnings = List.copyOf(warnings);
    }

    /** Reads the records of the run folder at {@code root} (an absent folder has none). */
    public static RecordStore read(Path root) {
        Map<String, RunRecord> byId = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        Path dir = root.resolve("records");
        if (!Files.isDirectory(dir)) return new RecordStore(byId, warnings);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new ExperimentException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        for (Path f : files) readFile(f, byId, warnings);
        for (String w : warnings) LOG.log(System.Logger.Level.WARNING, w);
        return new RecordStore(byId, warnings);
    }

    private static void readFile(Path f, Map<String, RunRecord> byId, List<String> warnings) {
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ExperimentException("cannot read record file " + f + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            RunRecord r;
            try {
                r = Json.read(line, RunRecord.class);
            } catch (JsonParseException | IllegalStateException e) {
                r = null;
            }
            if (r == null || r.runId() == null) {
                warnings.add("skipped unreadable record at " + f + ":" + (i + 1)
                        + " (a run interrupted while writing; it will be recomputed)");
                continue;
            }
            byId.putIfAbsent(r.runId(), r);
        }
    }

    /** One record per run id. */
    public Collection<RunRecord> all() {
        return byId.values();
    }

    /** Ids of the finished runs. */
    public Set<String> ids() {
        return byId.keySet();
    }

    public RunRecord get(String runId) {
        return byId.get(runId);
    }

    public int size() {
        return byId.size();
    }

    /** The records of the plan's runs, in plan order (runs not finished yet are left out). */
    public List<RunRecord> of(ExperimentPlan plan) {
        return plan.runs().stream().map(r -> byId.get(r.runId())).filter(r -> r != null).toList();
    }

    /** Lines skipped while reading. */
    public List<String> warnings() {
        return warnings;
    }
}
