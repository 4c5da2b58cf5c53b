package org.cramlab.run;

import java.nio.file.Path;
import org.cramlab.run.RunFolder;
import org.cramlab.run.HoldRunFolder;
import org.cramlab.run.RunFolderSafetyTest;

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
