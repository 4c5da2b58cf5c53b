package org.cramlab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cramlab.checkpoint.SafetensorsWriter;
import org.cramlab.core.ChildJvm;

/**
 * Peak resident memory of loading a multi-shard checkpoint, against its size on disk: writes a random
 * float32 llama checkpoint in shards, loads it in a fresh JVM ({@link LoadProbe}) and compares that
 * JVM's VmHWM growth over its own baseline (JVM + libtorch started) with the checkpoint's bytes.
 */
public final class LoadBench {

    /**
     * @param checkpointBytes bytes of all shard files
     * @param shards number of shard files
     * @param baselineKb the probe's VmHWM before loading
     * @param peakKb the probe's VmHWM after loading
     * @param afterKb the probe's VmRSS after loading
     * @param afterFileKb growth of the file-backed part (mapped checkpoint pages still resident)
     * @param seconds load time
     */
    public record Result(long checkpointBytes, int shards, long baselineKb, long peakKb, long afterKb, long afterFileKb,
            double seconds) {

        /** Peak growth over the baseline divided by the checkpoint size (target {@literal <=} 1.2). */
        public double ratio() {
            return (peakKb - baselineKb) * 1024.0 / checkpointBytes;
        }
    }

    /** The generated model's shape: llama, float32, ~{@code 4 * params} bytes. */
    record Shape4(int vocab, int hidden, int intermediate, int layers, int heads) {
        long params() {
            long layer = 4L * hidden * hidden + 3L * hidden * intermediate + 2L * hidden;
            return 2L * vocab * hidden + layers * layer + hidden;
        }
    }

    /** ~340 MB in float32: big enough that the copy, not the JVM, dominates the peak. */
    static final Shape4 DEFAULT_SHAPE = new Shape4(16384, 1024, 2816, 4, 16);

    private LoadBench() {}

    /** Writes and loads a {@code --load-shards} checkpoint and adds the loading-memory table. */
    static void report(Bench.Context c) {
        int shards = c.options().loadShards;
        c.progress("checkpoint loading: writing a %d-shard float32 llama checkpoint, loading it in a fresh JVM", shards);
        Result r = run(shards);
        BenchReport report = c.report();
        double fileMib = r.checkpointBytes() / 1048576.0;
        double growthMib = ProcStatus.mib(r.peakKb() - r.baselineKb());
        report.add("load", "random-llama", 0, 0, "checkpoint_mib", fileMib, "MiB");
        report.add("load", "random-llama", 0, 0, "shards", r.shards(), "files");
        report.add("load", "random-llama", 0, 0, "peak_growth_mib", growthMib, "MiB");
        report.add("load", "random-llama", 0, 0, "peak_over_checkpoint", r.ratio(), "x");
        report.add("load", "random-llama", 0, 0, "load_seconds", r.seconds(), "s");
        report.add(new BenchReport.Table("Checkpoint loading (fresh JVM, VmHWM growth over the JVM + libtorch baseline)",
                List.of("checkpoint MiB", "shards", "peak growth MiB", "RSS growth after MiB", "file-backed growth MiB",
                        "peak / size", "target <= 1.2", "seconds"),
                List.of(List.of(BenchReport.fmt(fileMib, 1), Integer.toString(r.shards()), BenchReport.fmt(growthMib, 1),
                        BenchReport.fmt(ProcStatus.mib(r.afterKb() - r.baselineKb()), 1),
                        BenchReport.fmt(ProcStatus.mib(r.afterFileKb()), 1), BenchReport.fmt(r.ratio(), 2),
                        r.ratio() <= 1.2 ? "met" : "MISSED", BenchReport.fmt(r.seconds(), 1)))));
    }

    /** Writes, loads in a child JVM, deletes. */
    public static Result run(int shards) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cramlab-load-bench");
            long bytes = writeCheckpoint(dir, DEFAULT_SHAPE, shards, 7);
            JsonObject probe = probe(dir);
            return new Result(bytes, shards, probe.get("baseline_hwm_kb").getAsLong(), probe.get("peak_hwm_kb").getAsLong(),
                    probe.get("after_rss_kb").getAsLong(), probe.get("after_file_kb").getAsLong() - probe.get("baseline_file_kb").getAsLong(),
                    probe.get("seconds").getAsDouble());
        } catch (IOException e) {
            throw new BenchException("cannot write the load-benchmark checkpoint: " + e, e);
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * Writes a random llama checkpoint into {@code dir} as {@code shards} safetensors files with an
     * index, tensors assigned to shards in order by size.
     *
     * @return total bytes of the shard files
     */
    static long writeCheckpoint(Path dir, Shape4 s, int shards, long seed) throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": %d, "hidden_size": %d,
                 "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "max_position_embeddings": 2048, "rms_norm_eps": 1e-6, "tie_word_embeddings": false,
                 "torch_dtype": "float32"}
                """.formatted(s.vocab(), s.hidden(), s.intermediate(), s.layers(), s.heads()));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {s.vocab(), s.hidden()});
        for (int i = 0; i < s.layers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {s.hidden()});
            for (String w : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                shapes.put(p + "self_attn." + w + ".weight", new long[] {s.hidden(), s.hidden()});
            }
            shapes.put(p + "post_attention_layernorm.weight", new long[] {s.hidden()});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {s.intermediate(), s.hidden()});
            shapes.put(p + "mlp.up_proj.weight", new long[] {s.intermediate(), s.hidden()});
            shapes.put(p + "mlp.down_proj.weight", new long[] {s.hidden(), s.intermediate()});
        }
        shapes.put("model.norm.weight", new long[] {s.hidden()});
        shapes.put("lm_head.weight", new long[] {s.vocab(), s.hidden()});
        long total = shapes.values().stream().mapToLong(d -> new Shape(d).size() * 4).sum();
        long perShard = (total + shards - 1) / shards;
        JsonObject weightMap = new JsonObject();
        long bytes = 0;
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            m.getEngine().setRandomSeed((int) seed);
            List<Map.Entry<String, long[]>> entries = new ArrayList<>(shapes.entrySet());
            int shard = 0;
            for (int i = 0; i < entries.size(); ) {
                shard++;
                String file = "model-%05d-of-%05d.safetensors".formatted(shard, shards);
                Map<String, NDArray> part = new LinkedHashMap<>();
                long size = 0;
                try (NDManager scope = m.newSubManager()) {
                    while (i < entries.size() && (size < perShard || shard == shards)) {
                        Map.Entry<String, long[]> e = entries.get(i++);
                        Shape shape = new Shape(e.getValue());
                        part.put(e.getKey(), shape.dimension() == 1 ? scope.ones(shape)
                                : scope.randomNormal(0f, 0.02f, shape, ai.djl.ndarray.types.DataType.FLOAT32));
                        size += shape.size() * 4;
                        weightMap.addProperty(e.getKey(), file);
                    }
                    SafetensorsWriter.write(dir.resolve(file), part);
                }
                bytes += Files.size(dir.resolve(file));
            }
            if (shard != shards) {
                throw new BenchException("wrote " + shard + " shards, expected " + shards + " (too few tensors?)");
            }
        }
        JsonObject index = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("total_size", total);
        index.add("metadata", meta);
        index.add("weight_map", weightMap);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        return bytes;
    }

    /** Runs {@link LoadProbe} in a fresh JVM with this JVM's class path and returns its JSON line. */
    static JsonObject probe(Path dir) throws IOException {
        List<String> cmd = new ArrayList<>(ChildJvm.command());
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), LoadProbe.class.getName(), dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int rc = p.waitFor();
            String last = text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
            if (rc != 0 || last == null) {
                throw new BenchException("load probe failed (exit " + rc + "): " + text.strip());
            }
            return JsonParser.parseString(last).getAsJsonObject();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BenchException("load probe interrupted", e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("warning: could not delete " + dir + ": " + e);
        }
    }
}
