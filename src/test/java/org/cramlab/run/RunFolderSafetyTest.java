package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cramlab.core.Json;
import org.cramlab.cram.RunRecord;
import org.cramlab.core.Progress;
import org.cramlab.sweep.RunnerExecutor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.RecordStore;
import org.cramlab.run.RunFolder;
import org.cramlab.run.ExperimentRunnerTest;
import org.cramlab.run.FullDiskChannel;
import org.cramlab.run.HoldRunFolder;
import org.cramlab.run.RunFolderSafetyTest;

/**
 * Run folders under a full disk (every complete record kept, no torn line, no temporary file, the first
 * error reported) and under two writers at once (each run done once).
 */
class RunFolderSafetyTest {

    static List<RunRecord> records;

    /** Real records of the golden model (8 short runs), to append by hand below. */
    @BeforeAll
    static void makeRecords(@TempDir Path dir) {
        try (RunFolder folder = RunFolder.open(dir, "source")) {
            records = new ArrayList<>(runner().run(ExperimentRunnerTest.plan(), folder).records());
        }
    }

    static ExperimentRunner runner() {
        return ExperimentRunner.builder().optTexts(ExperimentRunnerTest.IDS).optBatchSize(3)
                .optProgress(new Progress.Starter((state, last) -> { })).build();
    }

    static byte[] line(RunRecord r) {
        return (Json.COMPACT.toJson(r) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int k = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    static List<Path> tempFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(".tmp")).toList();
        }
    }

    static long lines(Path dir) throws Exception {
        long n = 0;
        try (Stream<Path> s = Files.list(dir.resolve("records"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                n += Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count();
            }
        }
        return n;
    }

    @Test
    void aFullDiskKeepsEveryCompleteRecordAndReportsTheFirstError(@TempDir Path dir) throws Exception {
        RunRecord r1 = records.get(0), r2 = records.get(1), r3 = records.get(2);
        long room = line(r1).length + line(r2).length + line(r3).length / 2; // the third record is torn mid-line
        Path file;
        try (RunFolder folder = RunFolder.open(dir, "shard-0-of-1", "shard-0-of-1",
                f -> new FullDiskChannel(FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND), room))) {
            folder.append(r1);
            folder.append(r2);
            ExperimentException e = assertThrows(ExperimentException.class, () -> folder.append(r3));
            assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains(r3.runId())
                    && e.getMessage().contains(folder.recordFile().toString()), e.getMessage());
            file = folder.recordFile();
        }
        assertArrayEquals(concat(line(r1), line(r2)), Files.readAllBytes(file), "exactly the complete records, no torn line");
        RecordStore store = RecordStore.read(dir);
        assertEquals(List.of(r1.runId(), r2.runId()), List.copyOf(store.ids()));
        assertEquals(List.of(), store.warnings());
        assertEquals(List.of(), tempFiles(dir));
        // space is back: the next session resumes after the kept records
        try (RunFolder folder = RunFolder.open(dir, "shard-0-of-1")) {
            folder.append(r3);
        }
        assertArrayEquals(concat(line(r1), line(r2), line(r3)), Files.readAllBytes(file));
    }

    @Test
    void aDivergedRunIsStrictJsonOnDiskAndReadsBackWithItsNaN(@TempDir Path dir) throws Exception {
        List<Double> losses = new ArrayList<>(records.get(0).trajectory().losses());
        losses.set(losses.size() - 1, Double.NaN);
        RunRecord diverged = records.get(0).toBuilder().losses(losses).bestLoss(Double.POSITIVE_INFINITY).build();
        Path file;
        try (RunFolder folder = RunFolder.open(dir, "w")) {
            folder.append(diverged);
            file = folder.recordFile();
        }
        String line = Files.readString(file).strip();
        var o = org.cramlab.core.StrictJsonTest.strictParse(line).getAsJsonObject(); // jq, JavaScript, Go read it
        assertEquals("NaN", o.getAsJsonObject("non_finite").get("/losses/" + (losses.size() - 1)).getAsString());
        assertEquals("Infinity", o.getAsJsonObject("non_finite").get("/best_loss").getAsString());
        RunRecord back = RecordStore.read(dir).get(diverged.runId());
        assertTrue(Double.isNaN(back.trajectory().losses().get(losses.size() - 1)));
        assertEquals(Double.POSITIVE_INFINITY, back.metrics().bestLoss());
        assertEquals(diverged.trajectory().losses().subList(0, losses.size() - 1),
                back.trajectory().losses().subList(0, losses.size() - 1));
    }

    @Test
    void aTornLastLineIsCutWhenTheWriterOpensItsFileAgain(@TempDir Path dir) throws Exception {
        Path file = Files.createDirectories(dir.resolve("records")).resolve("shard-1-of-2.jsonl");
        byte[] torn = line(records.get(1));
        Files.write(file, concat(line(records.get(0)), java.util.Arrays.copyOf(torn, torn.length / 3))); // killed mid-write
        try (RunFolder folder = RunFolder.open(dir, "shard-1-of-2")) {
            folder.append(records.get(2));
        }
        assertArrayEquals(concat(line(records.get(0)), line(records.get(2))), Files.readAllBytes(file));
        assertEquals(List.of(), RecordStore.read(dir).warnings());
    }

    @Test
    void aShardThatFailsReportsTheFirstErrorNotThePlanFile(@TempDir Path dir) throws Exception {
        ExperimentPlan plan = ExperimentRunnerTest.plan();
        ExperimentRunner failing = ExperimentRunner.builder().optTexts(ExperimentRunnerTest.IDS)
                .optProgress(new Progress.Starter((state, last) -> { }))
                .optModelLoader(d -> {
                    try { // the disk fills up: the plan cannot be put back either
                        Files.delete(dir.resolve("plan.json"));
                        Files.createDirectories(dir.resolve("plan.json").resolve("in-the-way"));
                    } catch (java.io.IOException io) {
                        throw new IllegalStateException(io);
                    }
                    throw new ExperimentException("cannot append run 0 to records/shard-0-of-1.jsonl: No space left on device");
                }).build();
        ExperimentException e;
        try (RunFolder folder = RunFolder.open(dir, "shard-0-of-1")) {
            e = assertThrows(ExperimentException.class, () -> new RunnerExecutor(failing).run(plan, plan.runs(), folder));
        }
        assertTrue(e.getMessage().contains("No space left on device") && !e.getMessage().contains("plan file"), e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertTrue(e.getSuppressed()[0].getMessage().contains("cannot write plan file"), e.getSuppressed()[0].getMessage());
        assertEquals(List.of(), tempFiles(dir), "no temporary file is left");
    }

    @Test
    void twoWritersOfOneFolderDoEachRunOnce(@TempDir Path dir) throws Exception {
        ExperimentPlan plan = ExperimentRunnerTest.plan();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<ExperimentRunner.Result>> writers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            writers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                try (RunFolder folder = RunFolder.open(dir)) { // two notebooks with the same CRAMLAB_OUT
                    return runner().run(plan, folder);
                }
            }));
        }
        start.countDown();
        List<ExperimentRunner.Result> results = new ArrayList<>();
        for (var w : writers) results.add(w.get(300, TimeUnit.SECONDS));
        assertEquals(8, results.get(0).computed() + results.get(1).computed(), "each run computed once");
        assertEquals(8, lines(dir), "8 record lines for 8 runs");
        assertEquals(8, results.get(0).records().size());
        assertEquals(8, results.get(1).records().size());
    }

    @Test
    void twoSweepsOfTheSameShardDoEachRunOnce(@TempDir Path dir) throws Exception {
        ExperimentPlan plan = ExperimentRunnerTest.plan();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<org.cramlab.sweep.ShardResult>> sweeps = new ArrayList<>();
        for (String job : new String[] {"slurm1", "slurm2"}) { // the same shard submitted twice
            sweeps.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return org.cramlab.sweep.Sweep.runShard(plan, new org.cramlab.sweep.Shard(0, 1), dir,
                        new RunnerExecutor(runner()), job);
            }));
        }
        start.countDown();
        int ran = 0;
        for (var s : sweeps) ran += s.get(300, TimeUnit.SECONDS).ran();
        assertEquals(8, ran, "each run done by one of the two sweeps");
        assertEquals(8, lines(dir));
    }

    @Test
    void aSecondProcessOnTheSameShardWaitsForTheFirst(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HoldRunFolder.class.getName(), dir.toString(), "shard-0-of-2").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertEquals("held shard-0-of-2", first);
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> RunFolder.open(dir, "shard-0-of-2").close());
            Thread.sleep(1500);
            assertFalse(second.isDone(), "the second writer of shard 0 waits while the first process holds it");
            // another shard is not held up
            CompletableFuture.runAsync(() -> RunFolder.open(dir, "shard-1-of-2").close()).get(60, TimeUnit.SECONDS);
            holder.getOutputStream().close(); // the first process finishes
            second.get(60, TimeUnit.SECONDS);
            assertTrue(holder.waitFor(60, TimeUnit.SECONDS));
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void reopeningAFolderStillOpenInThisThreadIsAnErrorNotADeadlock(@TempDir Path dir) {
        try (RunFolder first = RunFolder.open(dir)) {
            ExperimentException e = assertThrows(ExperimentException.class, () -> RunFolder.open(dir));
            assertTrue(e.getMessage().contains("already open for writing in this thread"), e.getMessage());
        }
        RunFolder.open(dir).close(); // released on close
    }
}
