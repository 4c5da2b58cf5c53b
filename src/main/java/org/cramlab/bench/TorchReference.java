package org.cramlab.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
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
 * (needs root, as chroot does).
 */
public final class TorchReference implements AutoCloseable {

    /** The sid tree: {@code $CRAMLAB_HF_REF}, else {@code /work/hf-ref}. */
    public static Path defaultTree() {
        String env = System.getenv("CRAMLAB_HF_REF");
        return Path.of(env == null || env.isBlank() ? "/work/hf-ref" : env);
    }

    /** Why the reference cannot run with this tree and script, or null if it can. */
    public static String unavailableReason(Path tree, Path script) {
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

    /**
     * Starts the reference on {@code modelDir}.
     *
     * @param threads torch.set_num_threads, use the same as cramlab's
     */
    public TorchReference(Path tree, Path script, Path modelDir, int threads) {
        String why = unavailableReason(tree, script);
        if (why != null) {
            throw new BenchException(why);
        }
        mountRoot = tree.resolve("mnt").resolve("cramlab-bench-" + ProcessHandle.current().pid());
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Path model = bind(modelDir.toAbsolutePath(), mountRoot.resolve("model"));
            Path scripts = bind(script.toAbsolutePath().getParent(), mountRoot.resolve("script"));
            log = Files.createTempFile("cramlab-torch-ref", ".log");
            ProcessBuilder pb = new ProcessBuilder("chroot", tree.toString(), "/usr/bin/python3",
                    inTree(tree, scripts.resolve(script.getFileName())), "--serve",
                    "--model-dir", inTree(tree, model), "--threads", Integer.toString(threads));
            pb.redirectError(log.toFile());
            process = pb.start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            header = answer("start-up");
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
        JsonObject req = new JsonObject();
        JsonArray a = new JsonArray();
        for (int id : ids) {
            a.add(id);
        }
        req.add("ids", a);
        req.addProperty("steps", steps);
        req.addProperty("warmup", warmup);
        in.println(req);
        JsonObject res = answer("L = " + ids.length);
        JsonArray times = res.getAsJsonArray("times_ms");
        double[] ms = new double[times.size()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = times.get(i).getAsDouble();
        }
        return ms;
    }

    private JsonObject answer(String what) {
        try {
            String line = out.readLine();
            if (line == null) {
                throw new BenchException("torch reference exited during " + what + ": " + tail());
            }
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            if (o.has("error")) {
                throw new BenchException("torch reference refused " + what + ": " + o.get("error").getAsString());
            }
            return o;
        } catch (IOException | RuntimeException e) {
            throw e instanceof BenchException b ? b
                    : new BenchException("bad answer from the torch reference during " + what + ": " + e + "; " + tail(), e);
        }
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
