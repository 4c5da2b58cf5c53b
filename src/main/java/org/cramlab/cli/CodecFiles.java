package org.cramlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;
import org.cramlab.bits.BitsException;

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
            Path dir = out.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".part");
            Files.write(tmp, bytes);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BitsException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** A progress line on stderr, rewritten in place. */
    static Consumer<String> progress(PrintWriter err) {
        return line -> {
            err.print("\r" + line + "\033[K");
            err.flush();
        };
    }
}
