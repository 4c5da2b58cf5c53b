package org.cramlab.notebook;

import java.util.function.BiConsumer;
import java.util.function.Function;
import org.cramlab.core.Progress;
import org.cramlab.report.Html;

/**
 * The notebook renderer of {@link Progress}: one HTML output (a progress bar and the state's line)
 * shown once and then updated in place. The callbacks are the kernel's own {@code display} and
 * {@code updateDisplay} (IJava's names), so the same cell runs on upstream IJava:
 *
 * <pre>{@code
 * var progress = NotebookProgress.starter(h -> display(h, "text/html"), (id, h) -> updateDisplay(id, h, "text/html"));
 * }</pre>
 */
public final class NotebookProgress {

    private NotebookProgress() {}

    /**
     * Progress shown in a notebook: {@code display} shows HTML and returns its display id;
     * {@code update} replaces the output with that id. Each progress started gets its own output.
     */
    public static Progress.Starter starter(Function<String, String> display, BiConsumer<String, String> update) {
        return new Progress.Starter(sink(display, update));
    }

    static Progress.Sink sink(Function<String, String> display, BiConsumer<String, String> update) {
        return new Progress.Sink() {
            private String id;

            @Override
            public void show(Progress.State state, boolean last) {
                if (id == null) {
                    id = display.apply(html(state));
                } else {
                    update.accept(id, html(state));
                }
                if (last) {
                    id = null; // the next progress started from the same starter gets its own output
                }
            }
        };
    }

    /** A small HTML block: a progress bar and the state's line. */
    public static String html(Progress.State state) {
        return "<div class=\"cramlab-progress\"><progress max=\"" + state.total() + "\" value=\"" + state.done()
                + "\" style=\"width:20em\"></progress> <code>" + Html.escape(state.line()) + "</code></div>";
    }
}
