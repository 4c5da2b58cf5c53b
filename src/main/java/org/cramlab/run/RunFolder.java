package org.cramlab.run;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
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
import org.cramlab.model.BlasThreads;

/**
 * One experiment's folder on disk:
 * <pre>
 *   params.json                 parameters, seed, profile, model ids, library versions, start time
 *   plan.json                   the plan (what "all runs" means for resume)
 *   records/&lt;writer&gt;.jsonl      one JSON run record per line, appended as each run finishes
 *   memories/&lt;run_id&gt;.safetensors  the best memory of each run (tensor "memory")
 *   locks/&lt;name&gt;.lock         who is writing (see below); empty or stale when nobody is
 * </pre>
 * Each process (or Slurm shard) writes only its own {@code records/<writer>.jsonl}, so shards on a shared
 * filesystem never write the same file; {@link RecordStore} merges them. A record is one complete line,
 * flushed and fsync'ed before {@link #append} returns: a crash loses at most the runs in flight. A write
 * that fails (a full disk) is cut back to the last complete record, and a torn last line left by a killed
 * writer is cut off when the file is opened again, so record files only ever hold complete lines.
 *
 * <p>Two writers of the same runs take turns: {@link #open} takes a lock ({@code locks/<name>.lock},
 * {@link FileChannel#tryLock}) held until {@link #close}: one per Slurm shard writer ({@code shard-3-of-8}),
 * one for all other writers of the folder (notebooks, {@code RunFolder.open(dir)}). A second writer prints
 * who holds it and waits; it then reads the records and computes only what is still missing, so two
 * notebooks or two sweeps of one shard never do the same runs twice.
 */
public final class RunFolder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RunFolder.class.getName());
    /** Lock of the writers that are not Slurm shards. */
    static final String FOLDER_LOCK = "run-folder";

    /** Opens a record file for appending (tests inject failing channels). */
    interface Opener {
        FileChannel open(Path file) throws IOException;
    }

    /** Which thread holds each lock this JVM holds (a thread waiting for itself would wait forever). */
    private static final java.util.Map<Path, Thread> HOLDERS = new java.util.concurrent.ConcurrentHashMap<>();

    private static final String MEMORIES = "memories";
    private final Path root;
    private final String writer;
    private final Opener opener;
    private Path lockFile;
    private FileChannel channel;
    private FileChannel lockChannel;

    private RunFolder(Path root, String writer, Opener opener) {
        this.root = root;
        this.writer = writer;
        this.opener = opener;
    }

    /**
     * Opens (creating if needed) a run folder; this process appends to {@code records/<host>-<pid>.jsonl}.
     * Waits while another non-shard writer has the folder open.
     */
    public static RunFolder open(Path root) {
        return open(root, defaultWriter(), FOLDER_LOCK, RunFolder::openForAppend);
    }

    /** Opens a run folder with an explicit writer name, e.g. {@code shard-3-of-8}; waits while another holds it. */
    public static RunFolder open(Path root, String writer) {
        return open(root, writer, writer, RunFolder::openForAppend);
    }

    /**
     * Opens a run folder as {@code writer}, taking lock {@code lockName} (e.g. {@code shard-3-of-8} for every
     * job's writer of that shard); waits while another holds it.
     */
    public static RunFolder open(Path root, String writer, String lockName) {
        return open(root, writer, lockName, RunFolder::openForAppend);
    }

    static RunFolder open(Path root, String writer, String lockName, Opener opener) {
        if (lockName == null || !lockName.matches("[A-Za-z0-9._-]+")) {
            throw new ExperimentException("lock name must match [A-Za-z0-9._-]+, got '" + lockName + "'");
        }
        if (writer == null || !writer.matches("[A-Za-z0-9._-]+")) {
            throw new ExperimentException("writer name must match [A-Za-z0-9._-]+, got '" + writer + "'");
        }
        try {
            Files.createDirectories(root.resolve("records"));
            Files.createDirectories(root.resolve("locks"));
            Files.createDirectories(root.resolve(MEMORIES));
        } catch (IOException e) {
            throw new ExperimentException("cannot create run folder " + root + ": " + e.getMessage(), e);
        }
        RunFolder folder = new RunFolder(root, writer, opener);
        folder.lockFile = root.resolve("locks").resolve(lockName + ".lock").toAbsolutePath();
        folder.lockChannel = lock(folder.lockFile, writer);
        if (lockName.equals(FOLDER_LOCK)) folder.repairDeadWriters();
        return folder;
    }

    private static FileChannel openForAppend(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /**
     * Takes the lock file's lock, waiting (one message on stderr naming the holder) while another process
     * or another open folder of this JVM holds it; writes who holds it into the file.
     */
    private static FileChannel lock(Path file, String writer) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new ExperimentException("cannot open lock file " + file + ": " + e.getMessage(), e);
        }
        boolean told = false;
        try {
            while (true) {
                FileLock held;
                try {
                    held = ch.tryLock();
                } catch (OverlappingFileLockException e) { // another RunFolder of this JVM holds it
                    if (HOLDERS.get(file.toAbsolutePath()) == Thread.currentThread()) {
                        closeQuietly(ch);
                        throw new ExperimentException("run folder " + file.getParent().getParent() + " is already open for"
                                + " writing in this thread (" + holder(file) + "): close that RunFolder first");
                    }
                    held = null;
                }
                if (held != null) {
                    HOLDERS.put(file.toAbsolutePath(), Thread.currentThread());
                    ch.truncate(0);
                    ch.write(ByteBuffer.wrap((writer + " pid " + ProcessHandle.current().pid() + " since " + Instant.now()
                            + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                    return ch;
                }
                if (!told) {
                    told = true;
                    System.err.println("run folder " + file.getParent().getParent() + ": another writer (" + holder(file)
                            + ") is writing these runs; waiting for it to finish, then only missing runs are computed");
                }
                Thread.sleep(200);
            }
        } catch (IOException e) {
            closeQuietly(ch);
            throw new ExperimentException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            closeQuietly(ch);
            Thread.currentThread().interrupt();
            throw new ExperimentException("interrupted while waiting for the lock " + file + " (" + holder(file) + ")", e);
        }
    }

    private static String holder(Path lockFile) {
        try {
            String s = Files.readString(lockFile, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "unknown" : s;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing a lock channel releases the lock; nothing else to do
        }
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
     * start time, writer), so it always describes the session that wrote last. An earlier session's file is
     * kept as {@code params-<n>.json} (n = 1, 2, ... in order), so the folder's history is not lost.
     */
    public Path writeParams(Map<String, ?> params) {
        Map<String, Object> all = new LinkedHashMap<>(params);
        all.put("versions", Versions.all());
        all.put("blas", BlasThreads.describe()); // mkl or the preloaded OpenBLAS: they round differently
        all.put("start_time", Instant.now().toString());
        all.put("writer", writer);
        all.put("jvm", ManagementFactory.getRuntimeMXBean().getVmName());
        Path file = root.resolve("params.json");
        keepEarlier(file);
        writeString(file, Json.writePretty(all));
        return file;
    }

    /** Moves an earlier session's params file to the first free {@code params-<n>.json}. */
    private void keepEarlier(Path file) {
        for (int n = 1; Files.exists(file); n++) {
            Path kept = root.resolve("params-" + n + ".json");
            if (Files.exists(kept)) continue;
            try {
                Files.move(file, kept); // never replaces: a concurrent writer took n, try the next
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.NoSuchFileException raced) {
                // another writer moved it or took n: the loop looks again
            } catch (IOException e) {
                throw new ExperimentException("cannot keep " + file + " as " + kept + ": " + e.getMessage(), e);
            }
        }
    }

    /** Saves the plan the folder is meant to complete. */
    public void writePlan(ExperimentPlan plan) {
        plan.save(root.resolve("plan.json"));
    }

    /**
     * Appends one record as a complete JSON line and forces it to disk before returning. If the write fails
     * (e.g. the disk is full) the partial line is cut off again and the first error is thrown: the file
     * keeps exactly the records written before. Thread-safe.
     */
    public synchronized void append(RunRecord record) {
        byte[] line = (Json.write(record) + "\n").getBytes(StandardCharsets.UTF_8);
        long before = -1;
        try {
            FileChannel ch = channel();
            before = ch.size();
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        } catch (IOException e) {
            ExperimentException failure = new ExperimentException("cannot append run " + record.runId() + " to "
                    + recordFile() + ": " + e.getMessage() + " (the records written before are kept; rerun to resume)", e);
            if (before >= 0) {
                try {
                    channel.truncate(before);
                    channel.force(true);
                } catch (IOException cut) {
                    failure.addSuppressed(cut); // the torn tail is cut when the file is opened next
                }
            }
            throw failure;
        }
    }

    /** Reads every writer's records (see {@link RecordStore}). */
    public RecordStore records() {
        return RecordStore.read(root);
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            Path f = recordFile();
            repairTornTail(f);
            channel = opener.open(f);
        }
        return channel;
    }

    /**
     * Cuts a torn last line (a writer killed mid-write) off {@code f}, so it holds only complete records.
     * Only for files no live writer appends to: this writer's own, or a dead process's.
     */
    static void repairTornTail(Path f) throws IOException {
        if (!Files.isRegularFile(f)) return;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long end = size;
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (end > 0) { // find the last '\n' scanning backwards
                long start = Math.max(0, end - b.capacity());
                b.clear().limit((int) (end - start));
                ch.read(b, start);
                int i = b.position() - 1;
                while (i >= 0 && b.get(i) != '\n') i--;
                if (i >= 0) {
                    end = start + i + 1;
                    break;
                }
                end = start;
            }
            if (end < size) {
                ch.truncate(end);
                ch.force(true);
                LOG.log(System.Logger.Level.WARNING, "cut a torn last line of " + (size - end) + " bytes off " + f
                        + " (a run interrupted while writing; it will be recomputed)");
            }
        }
    }

    /** Repairs the record files of this host's dead non-shard writers ({@code <host>-<pid>.jsonl}). */
    private void repairDeadWriters() {
        String me = defaultWriter();
        String host = me.substring(0, me.lastIndexOf('-') + 1);
        try (java.util.stream.Stream<Path> files = Files.list(root.resolve("records"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!name.startsWith(host) || !name.endsWith(".jsonl")) continue;
                String pid = name.substring(host.length(), name.length() - ".jsonl".length());
                if (!pid.matches("[0-9]{1,18}") || ProcessHandle.of(Long.parseLong(pid)).isPresent()) continue;
                repairTornTail(f);
            }
        } catch (IOException e) {
            throw new ExperimentException("cannot repair the record files in " + root.resolve("records") + ": "
                    + e.getMessage(), e);
        }
    }

    private static void writeString(Path file, String s) {
        try {
            org.cramlab.core.AtomicFiles.writeString(file, s);
        } catch (IOException e) {
            throw new ExperimentException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Closes the record file and releases the writer lock. */
    @Override
    public synchronized void close() {
        IOException first = null;
        if (lockChannel != null) HOLDERS.remove(lockFile); // before the lock is released and another thread takes it
        for (FileChannel ch : new FileChannel[] {channel, lockChannel}) {
            try {
                if (ch != null) ch.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        channel = null;
        lockChannel = null;
        if (first != null) {
            throw new ExperimentException("cannot close " + recordFile() + ": " + first.getMessage(), first);
        }
    }
}
