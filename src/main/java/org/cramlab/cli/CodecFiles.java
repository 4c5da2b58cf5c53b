package org.cramlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.cramlab.bits.BitsException;
import org.cramlab.core.AtomicFiles;
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

    /** Refuses to replace an existing file (no result already written is lost) unless forced. */
    static void checkWritable(Path out, boolean force) {
        if (Files.exists(out) && !force) {
            throw new BitsException("output file " + out + " exists: pass --force to overwrite it");
        }
    }

    /** Writes through a temporary file and a rename, so a failure leaves no half-written output. */
    static void write(Path out, byte[] bytes) {
        try {
            AtomicFiles.writeBytes(out, bytes); // default permissions: a temp-file API would make it 0600
        } catch (IOException e) {
            throw new BitsException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** A progress line on stderr: rewritten in place on a terminal, whole lines on a pipe or file. */
    static Consumer<String> progress(PrintWriter err) {
        boolean terminal = Terminal.stderrIsTerminal();
        return line -> {
            err.print(terminal ? "\r" + line + "\033[K" : line + System.lineSeparator());
            err.flush();
        };
    }

    /** Clears the progress line on a terminal (before a result or an error is printed); nothing on a pipe. */
    static void clearProgress(PrintWriter err) {
        if (Terminal.stderrIsTerminal()) err.print("\r\033[K");
        err.flush();
    }
}
