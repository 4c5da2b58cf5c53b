package org.cramlab.run;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where run folders go, and the up-front check that they can be written (so a bad {@code CRAMLAB_OUT}
 * fails in a notebook's first cell or before a command crams anything, not at the first figure).
 */
public final class OutputFolder {

    private OutputFolder() {}

    /**
     * The run folder {@code <root>/<name>}. The root is, in this order: {@code CRAMLAB_OUT}; else
     * {@code out/runs} of the checkout holding the working directory (a Jupyter kernel runs in the
     * notebook's folder, so a notebook writes into its own checkout whichever clone installed the
     * kernel); else {@code out/runs} under {@code CRAMLAB_ROOT}; else {@code out/runs} under the working
     * directory.
     */
    public static Path resolve(Map<String, String> env, Path cwd, String name) {
        String out = env.get(Profile.ENV_OUT);
        if (out != null && !out.isBlank()) return Path.of(out.strip()).resolve(name);
        return checkout(env, cwd.toAbsolutePath()).resolve("out").resolve("runs").resolve(name);
    }

    private static Path checkout(Map<String, String> env, Path cwd) {
        for (Path d = cwd; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("notebooks"))) return d;
        }
        String root = env.get("CRAMLAB_ROOT");
        return root != null && !root.isBlank() ? Path.of(root.strip()) : cwd;
    }

    /**
     * Creates {@code dir} if needed and proves it writable by creating and deleting a probe file;
     * throws naming the folder, {@code what} it is for and why not.
     *
     * @param what e.g. "run folder (CRAMLAB_OUT)" or "--out"
     */
    public static Path requireWritable(Path dir, String what) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
            return dir;
        } catch (AccessDeniedException e) {
            throw new ExperimentException(what + " " + dir + " is not writable (permission denied on " + e.getFile()
                    + "): expected a folder this user can create files in");
        } catch (FileSystemException e) {
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new ExperimentException(what + " " + dir + " is not writable (" + reason + (e.getFile() == null
                    || e.getFile().equals(dir.toString()) ? "" : " on " + e.getFile()) + "): expected a writable folder");
        } catch (IOException | UnsupportedOperationException e) {
            throw new ExperimentException(what + " " + dir + " is not writable: " + e.getMessage());
        }
    }
}
