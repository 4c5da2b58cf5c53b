package org.cramlab.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch reference step ({@code environment/bench/torch_reference_step.py --serve}) running in the
 * Debian sid tree with transformers. The model directory and the script's folder are bind-mounted
 * into {@code <tree>/mnt/cramlab-bench-<pid>/} for the lifetime of this object and unmounted on close
 * (needs root, as chroot does); the tree's /proc, /sys and /dev are mounted first where missing. Its
 * answers are read robustly: lines on stdout that are not JSON (native libraries' warnings) are skipped.
 */
public final class TorchReference implements AutoCloseable {

    /**
     * The sid tree: {@code option} (--torch-tree) if given, else {@code $CRAMLAB_HF_REF}, else null (no
     * default path: where the tree lives is machine-specific).
     */
    public static Path tree(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("CRAMLAB_HF_REF");
        return env == null || env.isBlank() ? null : Path.of(env);
    }

    /** Why the reference cannot run with this tree and script, or null if it can. */
    public static String unavailableReason(Path tree, Path script) {
        if (tree == null) {
            return "no sid tree given (pass --torch-tree DIR or set CRAMLAB_HF_REF)";
        }
        if (!Files.isRegularFile(tree.resolve("usr/bin/python3"))) {
            return "no sid tree with python3 at " + tree + " (set CRAMLAB_HF_REF)";
        }
        if (script == null || !Files.isRegularFile(script)) {
            return "reference script not found: " + script + " (run from the repository or pass --torch-script)";
        }
        return null;
    }

    private final Path mountRoot;
    private final List<Path> mounts = new ArrayList<>();
    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final Path log;
    /** Unmounts if the JVM is stopped (Ctrl-C, kill) before {@link #close()}. */
    private final Thread cleanup = new Thread(this::release, "torch-reference-cleanup");
    /** The reference's own description (torch/transformers versions, threads, attention kernel). */
    public final JsonObject header;
    /** The tree's /proc, /sys, /dev that this object found unmounted and mounted (left mounted: shared). */
    public List<String> treeMounts = List.of();

    /**
     * Starts the reference on {@code modelDir}.
     *
     * @param threads torch.set_num_threads, use the same as cramlab's
     */
    public TorchReference(Path tree, Path script, Path modelDir, int threads) {
        this(tree, script, modelDir, threads, List.of("--serve"), "start-up");
    }

    /**
     * The reference's memory of one step at {@code ids} in a fresh process ({@code --peak}: VmHWM growth of
     * one step over VmRSS with the model loaded, after a warm-up step at L = 16; see {@link PeakProbe}).
     */
    public static JsonObject peak(Path tree, Path script, Path modelDir, int threads, int[] ids) {
        StringBuilder list = new StringBuilder();
        for (int id : ids) {
            list.append(list.length() == 0 ? "" : ",").append(id);
        }
        try (TorchReference once = new TorchReference(tree, script, modelDir, threads,
                List.of("--peak", "--ids", list.toString()), "the peak of one step at L = " + ids.length)) {
            return once.header;
        }
    }

    /**
     * The GEMM side of {@code bench gemm} ({@code environment/bench/torch_gemm.py --serve}): no model; ask it
     * with {@link #request}.
     */
    public static TorchReference gemm(Path tree, Path script, int threads) {
        return new TorchReference(tree, script, null, threads, List.of("--serve"), "start-up");
    }

    /** {@code modelDir} null: the script gets no model (the GEMM server). */
    private TorchReference(Path tree, Path script, Path modelDir, int threads, List<String> mode, String what) {
        String why = unavailableReason(tree, script);
        if (why != null) {
            throw new BenchException(why);
        }
        mountRoot = tree.resolve("mnt").resolve("cramlab-bench-" + ProcessHandle.current().pid());
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            treeMounts = mountTreeFilesystems(tree);
            Path scripts = bind(script.toAbsolutePath().getParent(), mountRoot.resolve("script"));
            log = Files.createTempFile("cramlab-torch-ref", ".log");
            List<String> cmd = new ArrayList<>(List.of("chroot", tree.toString(), "/usr/bin/python3",
                    inTree(tree, scripts.resolve(script.getFileName())), "--threads", Integer.toString(threads)));
            if (modelDir != null) {
                cmd.addAll(List.of("--model-dir", inTree(tree, bind(modelDir.toAbsolutePath(), mountRoot.resolve("model")))));
            }
            cmd.addAll(mode);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            // the reference keeps its own (glibc) allocator: the launcher's jemalloc is cramlab's, not PyTorch's
            pb.environment().remove("LD_PRELOAD");
            pb.redirectError(log.toFile());
            process = pb.start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            header = answer(what);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof BenchException b ? b : new BenchException("cannot start the torch reference: " + e, e);
        }
    }

    /**
     * Times {@code steps} reference steps on {@code ids} (K = 1); the first call per ids list also runs
     * {@code warmup} untimed steps. State (memory, AdamW) persists across calls with the same ids.
     *
     * @return per-step milliseconds
     */
    public double[] steps(int[] ids, int steps, int warmup) {
        JsonObject req = cellRequest(ids, warmup);
        req.addProperty("steps", steps);
        JsonObject res = request(req, "L = " + ids.length);
        JsonArray times = res.getAsJsonArray("times_ms");
        double[] ms = new double[times.size()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = times.get(i).getAsDouble();
        }
        return ms;
    }

    /** A request about the reference's cell for {@code ids}: its ids and the warm-up its first use runs. */
    static JsonObject cellRequest(int[] ids, int warmup) {
        JsonObject req = new JsonObject();
        JsonArray a = new JsonArray();
        for (int id : ids) {
            a.add(id);
        }
        req.add("ids", a);
        req.addProperty("warmup", warmup);
        return req;
    }

    /** Sends one JSON request line and returns the answer; {@code what} names it in errors. */
    public JsonObject request(JsonObject req, String what) {
        in.println(req);
        return answer(what);
    }

    private JsonObject answer(String what) {
        List<String> noise = new ArrayList<>();
        try {
            JsonObject o = readAnswer(out, noise);
            if (o == null) {
                throw new BenchException("torch reference exited during " + what + ": " + tail()
                        + (noise.isEmpty() ? "" : "\nits other output: " + String.join("\n", noise)));
            }
            if (o.has("error")) {
                throw new BenchException("torch reference refused " + what + ": " + o.get("error").getAsString());
            }
            return o;
        } catch (IOException | RuntimeException e) {
            throw e instanceof BenchException b ? b
                    : new BenchException("bad answer from the torch reference during " + what + ": " + e + "; " + tail(), e);
        }
    }

    /** Lines of noise kept for an error message. */
    private static final int MAX_NOISE = 20;

    /**
     * The next line that is a JSON object, skipping anything else a native library printed on stdout
     * (UCX, cpuinfo and OpenMP warnings broke the handshake where the tree had no /proc); those lines go
     * to {@code noise} (the last {@link #MAX_NOISE}). Null at end of stream.
     */
    static JsonObject readAnswer(BufferedReader in, List<String> noise) throws IOException {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String t = line.strip();
            if (t.startsWith("{") && t.endsWith("}")) {
                try {
                    JsonElement e = JsonParser.parseString(t);
                    if (e.isJsonObject()) {
                        return e.getAsJsonObject();
                    }
                } catch (JsonParseException notJson) {
                    // a brace-delimited warning: noise like the rest
                }
            }
            if (!t.isEmpty()) {
                noise.add(line);
                if (noise.size() > MAX_NOISE) {
                    noise.remove(0);
                }
            }
        }
        return null;
    }

    /**
     * Mounts /proc, /sys and /dev into the tree where they are not mounted yet (torch reads /proc and
     * /sys at start-up; without them UCX and cpuinfo print warnings and CPU detection fails). They stay
     * mounted: other users of the tree may rely on them.
     *
     * @return what was mounted, e.g. ["proc"]
     * @throws BenchException naming what is missing and the command that mounts it, when mounting fails
     */
    static List<String> mountTreeFilesystems(Path tree) {
        List<String> done = new ArrayList<>();
        for (String fs : new String[] {"proc", "sys", "dev"}) {
            Path target = tree.resolve(fs).toAbsolutePath().normalize();
            if (isMountPoint(target)) {
                continue;
            }
            try {
                Files.createDirectories(target);
                run("mount", "--bind", "/" + fs, target.toString());
            } catch (IOException | BenchException e) {
                throw new BenchException("the sid tree " + tree + " has no /" + fs + " mounted and mounting it failed ("
                        + e.getMessage() + "); as root: for d in proc sys dev; do mountpoint -q " + tree
                        + "/$d || mount --bind /$d " + tree + "/$d; done", e);
            }
            done.add(fs);
        }
        return done;
    }

    /** Whether {@code dir} is a mount point (listed in /proc/self/mountinfo). */
    static boolean isMountPoint(Path dir) {
        try {
            String want = dir.toAbsolutePath().normalize().toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(want)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log)";
        }
    }

    private Path bind(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        run("mount", "--bind", source.toString(), target.toString());
        mounts.add(0, target);
        return target;
    }

    private static String inTree(Path tree, Path p) {
        return "/" + tree.relativize(p);
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new BenchException(String.join(" ", cmd) + " failed (root needed for mount/chroot): " + text);
            }
        } catch (IOException e) {
            throw new BenchException(String.join(" ", cmd) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException(String.join(" ", cmd) + " interrupted", e);
        }
    }

    /** Stops the reference, then unmounts exactly what this object mounted. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs release() itself
        }
        release();
    }

    private synchronized void release() {
        if (process != null && process.isAlive()) {
            in.println("{\"quit\": true}");
            in.close();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Path m : mounts) {
            try {
                run("umount", m.toString());
            } catch (BenchException e) {
                System.err.println("warning: " + e.getMessage());
            }
        }
        mounts.clear();
        try {
            Files.deleteIfExists(mountRoot.resolve("model"));
            Files.deleteIfExists(mountRoot.resolve("script"));
            Files.deleteIfExists(mountRoot);
            if (log != null) {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            // an empty mount point left behind is harmless
        }
    }
}
