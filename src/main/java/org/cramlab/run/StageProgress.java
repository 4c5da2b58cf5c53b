package org.cramlab.run;

import org.cramlab.core.Progress;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunListener;

/** Shows staged cramming on a progress display: the current text, length, K, step and accuracy (at most 4 updates/s); one tick per finished text. */
public final class StageProgress implements ProgressiveCrammer.Listener {
    private final Progress bar;

    public StageProgress(Progress bar) {
        this.bar = bar;
    }

    @Override
    public void onStep(RunListener.Step p) {
        bar.workingThrottled(p::line);
    }

    @Override
    public void onText(ProgressiveRecord record) {
        bar.advance();
    }
}
