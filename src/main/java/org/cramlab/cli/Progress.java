package org.cramlab.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.cramlab.cram.RunListener;

/** A single updating progress line on stderr: step, loss, accuracy, best accuracy, elapsed time. */
final class Progress implements RunListener {

    private final PrintWriter err;
    private long lastPrint;

    Progress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onStep(RunListener.Progress p) {
        long now = System.nanoTime();
        if (now - lastPrint < 250_000_000L && p.step() > 1) {
            return; // at most four updates a second
        }
        lastPrint = now;
        err.printf(Locale.ROOT, "\rstep %5d  loss %.4f  acc %.4f  best %.4f  %.1fs ",
                p.step(), p.loss(), p.accuracy(), p.bestAccuracy(), p.elapsedSeconds());
        err.flush();
    }

    /** Ends the progress line. */
    void done() {
        err.println();
        err.flush();
    }
}
