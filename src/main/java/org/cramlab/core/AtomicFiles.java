package org.cramlab.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file writes that never leave half a file or a temporary file behind: the content goes to a
 * temporary file next to the target, is forced to disk and renamed over the target. On any failure (a full
 * disk) the temporary file is removed and the target keeps its old content.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /**
     * Replaces {@code target} with {@code content} (UTF-8).
     *
     * @throws IOException the first error (the target is unchanged, no temporary file is left)
     */
    public static void writeString(Path target, String content) throws IOException {
        writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Replaces {@code target} with {@code content}. The file gets the default permissions (as the umask says),
     * not the owner-only ones of a {@code Files.createTempFile}.
     *
     * @throws IOException the first error (the target is unchanged, no temporary file is left)
     */
    public static void writeBytes(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }
}
