package org.cramlab.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether output goes to a terminal (rewrite a line in place) or to a pipe or file (whole lines only). */
public final class Terminal {

    private Terminal() {}

    /**
     * True when this process's stderr is a terminal. Java has no isatty for stderr: on Linux its file
     * descriptor links to a {@code /dev/pts/N} or {@code /dev/ttyN} device; elsewhere a console means both
     * stdin and stdout are terminals, stderr almost always with them.
     */
    public static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(Path.of("/proc/self/fd"))) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }
}
