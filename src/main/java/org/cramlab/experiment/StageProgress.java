package org.cramlab.experiment;

import java.util.Locale;
import org.cramlab.core.Progress;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunListener;

/** Shows staged cramming on a progress display: the current text, length, step and accuracy (at most 4 updates/s); one tick per finished text. */
final class StageProgress implements ProgressiveCrammer.Listener {
    private final Progress bar;
    private long shown;

    StageProgress(Progress bar) {
        this.bar = bar;
    }

    @Override
    public void onStep(RunListener.Step p) {
        long now = System.nanoTime();
        if (now - shown > 250_000_000L) {
            shown = now;
            bar.working(String.format(Locale.ROOT, "%s L=%d step %d acc %.3f", p.task().textId(), p.task().length(), p.step(),
                    p.bestAccuracy()));
        }
    }

    @Override
    public void onText(ProgressiveRecord record) {
        bar.advance();
    }
}
