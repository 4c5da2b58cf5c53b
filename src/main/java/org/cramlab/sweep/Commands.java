package org.cramlab.sweep;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the Slurm client commands (sbatch, squeue) as child processes. */
final class Commands {
    private Commands() {}

    /** Exit code and output of a finished command. */
    record Result(int exitCode, String stdout, String stderr) {}

    /** True when {@code name} is an executable file in a folder of {@code $PATH}. */
    static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return true;
        }
        return false;
    }

    /** Runs {@code command} and waits at most {@code timeoutSeconds}; a command that cannot start or hangs is an error. */
    static Result run(List<String> command, long timeoutSeconds) {
        Path out = null, err = null;
        try {
            // Output goes to files, not pipes, so a chatty command cannot block on a full pipe.
            out = Files.createTempFile("cramlab-cmd", ".out");
            err = Files.createTempFile("cramlab-cmd", ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SweepException("`" + String.join(" ", command) + "` did not finish within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SweepException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SweepException("interrupted while running `" + String.join(" ", command) + "`", e);
        } finally {
            for (Path f : new Path[] {out, err}) {
                try {
                    if (f != null) Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }
}
