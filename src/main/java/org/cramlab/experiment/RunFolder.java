package org.cramlab.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cramlab.core.Json;
import org.cramlab.core.Versions;
import org.cramlab.cram.RunRecord;

/**
 * One experiment's folder on disk:
 * <pre>
 *   params.json                 parameters, seed, profile, model ids, library versions, start time
 *   plan.json                   the plan (what "all runs" means for resume)
 *   records/&lt;writer&gt;.jsonl      one JSON run record per line, appended as each run finishes
 *   memories/&lt;run_id&gt;.safetensors  the best memory of each run (tensor "memory")
 * </pre>
 * Each process (or Slurm shard) writes only its own {@code records/<writer>.jsonl}, so shards on a shared
 * filesystem never write the same file; {@link RecordStore} merges them. A record is flushed and
 * fsync'ed before {@link #append} returns: a crash loses at most the runs in flight.
 */
public final class RunFolder implements AutoCloseable {
    private static final String MEMORIES = "memories";
    private final Path root;
    private final String writer;
    private FileChannel channel;

    private RunFolder(Path root, String writer) {
        this.root = root;
        this.writer = writer;
    }

    /** Opens (creating if needed) a run folder; this process appends to {@code records/<host>-<pid>.jsonl}. */
    public static RunFolder open(Path root) {
        return open(root, defaultWriter());
    }

    /** Opens a run folder with an explicit writer name, e.g. {@code shard-3-of-8}. */
    public static RunFolder open(Path root, String writer) {
        if (writer == null || !writer.matches("[A-Za-z0-9._-]+")) {
            throw new ExperimentException("writer name must match [A-Za-z0-9._-]+, got '" + writer + "'");
        }
        try {
            Files.createDirectories(root.resolve("records"));
            Files.createDirectories(root.resolve(MEMORIES));
        } catch (IOException e) {
            throw new ExperimentException("cannot create run folder " + root + ": " + e.getMessage(), e);
        }
        return new RunFolder(root, writer);
    }

    /** {@code <host>-<pid>}: unique per process, readable in a listing. */
    public static String defaultWriter() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            host = "host";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    public Path root() {
        return root;
    }

    public String writer() {
        return writer;
    }

    /** This writer's record file. */
    public Path recordFile() {
        return root.resolve("records").resolve(writer + ".jsonl");
    }

    /** Where the best memories go, one {@code <run_id>.safetensors} per run. */
    public Path memoryDir() {
        return root.resolve(MEMORIES);
    }

    /** Where the best memory of {@code runId} goes. */
    public Path memoryFile(String runId) {
        return memoryDir().resolve(runId + ".safetensors");
    }

    /** The memory path as stored in records: relative to the run folder. */
    public static String relativeMemoryFile(String runId) {
        return MEMORIES + "/" + runId + ".safetensors";
    }

    /**
     * Writes {@code params.json}: the given parameters plus seed-independent facts (library versions,
     * start time, writer). An existing file from an earlier session is kept and the new session's
     * parameters go to {@code params-<writer>.json}, so the folder's history is not lost.
     */
    public Path writeParams(Map<String, ?> params) {
        Map<String, Object> all = new LinkedHashMap<>(params);
        all.put("versions", Versions.all());
        all.put("start_time", Instant.now().toString());
        all.put("writer", writer);
        all.put("jvm", ManagementFactory.getRuntimeMXBean().getVmName());
        Path file = root.resolve("params.json");
        if (Files.exists(file)) file = root.resolve("params-" + writer + ".json");
        writeString(file, Json.PRETTY.toJson(all));
        return file;
    }

    /** Saves the plan the folder is meant to complete. */
    public void writePlan(ExperimentPlan plan) {
        plan.save(root.resolve("plan.json"));
    }

    /** Appends one record as a JSON line and forces it to disk before returning. Thread-safe. */
    public synchronized void append(RunRecord record) {
        byte[] line = (Json.COMPACT.toJson(record) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            FileChannel ch = channel();
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        } catch (IOException e) {
            throw new ExperimentException("cannot append to " + recordFile() + ": " + e.getMessage(), e);
        }
    }

    /** Reads every writer's records (see {@link RecordStore}). */
    public RecordStore records() {
        return RecordStore.read(root);
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            Path f = recordFile();
            channel = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            // A crash may have left a half-written last line: end it so our first record starts a line.
            if (channel.size() > 0 && !endsWithNewline(f)) {
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            }
        }
        return channel;
    }

    private static boolean endsWithNewline(Path f) throws IOException {
        try (FileChannel r = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            r.read(b, r.size() - 1);
            return b.get(0) == '\n';
        }
    }

    private static void writeString(Path file, String s) {
        try {
            Files.writeString(file, s, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new ExperimentException("cannot close " + recordFile() + ": " + e.getMessage(), e);
            }
            channel = null;
        }
    }
}
