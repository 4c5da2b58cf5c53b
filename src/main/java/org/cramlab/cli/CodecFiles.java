package org.cramlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cramlab.bits.BitsException;
import org.cramlab.core.AtomicFiles;
import org.cramlab.core.Progress;
import org.cramlab.core.Terminal;

/** File handling shared by {@code compress} and {@code decompress}. */
final class CodecFiles {

    private CodecFiles() {}

    static byte[] read(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new BitsException(what + " file " + file + " does not exist or is not a file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BitsException("cannot read " + what + " file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks the output location before any work: refuses to replace an existing file (no result already
     * written is lost) unless forced, a folder that does not exist (it is not created) and one this
     * process cannot write in (with the OS's reason, found by creating and deleting a probe file there).
     */
    static void checkWritable(Path out, boolean force) {
        if (Files.isDirectory(out)) {
            throw new BitsException("output " + out + " is a folder: give a file name");
        }
        if (Files.exists(out) && !force) {
            throw new BitsException("output file " + out + " exists: pass --force to overwrite it");
        }
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new BitsException("output folder " + dir + (Files.exists(dir) ? " is not a folder" : " does not exist")
                    + ": create it first or choose another -o");
        }
        try {
            Files.delete(Files.createTempFile(dir, ".cramlab-write-check", ".tmp"));
        } catch (IOException e) {
            throw new BitsException("cannot write in output folder " + dir + ": " + reason(e));
        }
    }

    /** The OS's reason for an I/O failure (Java's message is often just the path). */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.toString();
    }

    /** Writes through a temporary file and a rename, so a failure leaves no half-written output. */
    static void write(Path out, byte[] bytes) {
        try {
            AtomicFiles.writeBytes(out, bytes); // default permissions: a temp-file API would make it 0600
        } catch (IOException e) {
            throw new BitsException("cannot write " + out + ": " + reason(e), e);
        }
    }

    /**
     * Progress on stderr: on a terminal one line rewritten in place (tokens, chunk, stage, ETA); on a pipe or
     * file only the final line.
     */
    static Progress.Sink progress(PrintWriter err) {
        Progress.Sink console = Progress.consoleSink(err);
        boolean terminal = Terminal.stderrIsTerminal();
        return (state, last) -> {
            if (terminal || last) {
                console.show(state, last);
            }
        };
    }

    /** Clears the progress line on a terminal (before a result or an error is printed); nothing on a pipe. */
    static void clearProgress(PrintWriter err) {
        if (Terminal.stderrIsTerminal()) err.print("\r\033[K");
        err.flush();
    }
}
