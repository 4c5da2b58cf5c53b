package org.cramlab.experiment;

import java.nio.file.Path;

/** A second process for {@link RunFolderSafetyTest}: opens a run folder as a writer, says so, holds it until stdin closes. */
public final class HoldRunFolder {
    private HoldRunFolder() {}

    public static void main(String[] args) throws Exception {
        try (RunFolder folder = RunFolder.open(Path.of(args[0]), args[1])) {
            System.out.println("held " + folder.writer());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close our stdin
            }
        }
    }
}
