package org.cramlab.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A temporary copy of a model directory whose config.json allows more positions, so that the step can
 * be timed at lengths beyond the model's own (L = 2048 on the 1024-position default model). Only for
 * rotary-position families (llama, olmo, gpt_neox): they have no position table, so the step's work at
 * L is the same as for a model trained that long; their outputs beyond the trained positions mean
 * nothing, their timing and memory do. Weight files are hard-linked where possible, else copied (the
 * PyTorch reference reads the copy through a bind mount, where symbolic links would not resolve).
 */
final class RaisedPositions implements AutoCloseable {

    /** Families whose positions are rotary (no learned table to extend). */
    static final Set<String> ROTARY = Set.of("llama", "olmo", "gpt_neox");

    private final Path dir;

    private RaisedPositions(Path dir) {
        this.dir = dir;
    }

    /** The copy's directory. */
    Path dir() {
        return dir;
    }

    /**
     * A copy of {@code modelDir} with {@code max_position_embeddings = positions}, or null when its
     * family has learned positions (or none to raise).
     */
    static RaisedPositions of(Path modelDir, int positions) {
        JsonObject cfg;
        try {
            cfg = JsonParser.parseString(Files.readString(modelDir.resolve("config.json"))).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new BenchException("cannot read " + modelDir.resolve("config.json") + ": " + e, e);
        }
        if (!cfg.has("model_type") || !ROTARY.contains(cfg.get("model_type").getAsString())
                || !cfg.has("max_position_embeddings")) {
            return null;
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cramlab-bench-positions");
            try (Stream<Path> files = Files.list(modelDir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f) && !f.getFileName().toString().equals("config.json")) {
                        link(f, dir.resolve(f.getFileName()));
                    }
                }
            }
            cfg.addProperty("max_position_embeddings", positions);
            Files.writeString(dir.resolve("config.json"), new GsonBuilder().setPrettyPrinting().create().toJson(cfg));
            return new RaisedPositions(dir);
        } catch (IOException e) {
            delete(dir);
            throw new BenchException("cannot copy " + modelDir + " with " + positions + " positions: " + e, e);
        }
    }

    private static void link(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, target); // another file system
        }
    }

    @Override
    public void close() {
        delete(dir);
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("warning: could not delete " + dir + ": " + e);
        }
    }
}
