package org.cramlab.notebook;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Progress of a long cell or command: runs done out of total, the item being worked on, elapsed
 * time and an ETA. In a notebook it is one output updated in place; on the command line one line
 * on stderr rewritten with {@code \r}.
 *
 * <pre>{@code
 * var progress = Progress.inNotebook(h -> display(h, "text/html"), (id, h) -> updateDisplay(id, h, "text/html"))
 *         .start("cramming", texts.size());
 * for (var t : texts) { progress.working(t.name()); ...; progress.advance(); }
 * progress.close();
 * }</pre>
 * The callbacks are the kernel's own {@code display}/{@code updateDisplay} (IJava's names), so the
 * same cell runs on upstream IJava.
 */
public final class Progress implements AutoCloseable {

    /** Where progress is shown: called with each new state. */
    public interface Sink {
        /** Shows the state; {@code last} is true for the final call. */
        void show(State state, boolean last);
    }

    /**
     * One snapshot.
     *
     * @param label what is running
     * @param done runs finished
     * @param total runs planned
     * @param current the item being worked on, or "" if none
     * @param elapsed time since start
     */
    public record State(String label, int done, int total, String current, Duration elapsed) {
        /** Estimated time left from the mean time per finished run; null before the first one. */
        public Duration eta() {
            if (done == 0) {
                return null;
            }
            return elapsed.multipliedBy(Math.max(0, total - done)).dividedBy(done);
        }

        /** One line of text, e.g. {@code cramming 3/10 (30%) | text-4 | elapsed 0:12 | ETA 0:28}. */
        public String line() {
            Duration eta = eta();
            return label + " " + done + "/" + total + " (" + percent() + "%)"
                    + (current.isEmpty() ? "" : " | " + current)
                    + " | elapsed " + clock(elapsed)
                    + " | ETA " + (eta == null ? "?" : clock(eta));
        }

        /** A small HTML block: the line and a progress bar. */
        public String html() {
            return "<div class=\"cramlab-progress\"><progress max=\"" + total + "\" value=\"" + done
                    + "\" style=\"width:20em\"></progress> <code>" + Html.escape(line()) + "</code></div>";
        }

        private int percent() {
            return total == 0 ? 100 : (int) (100L * done / total);
        }
    }

    private final String label;
    private final int total;
    private final Sink sink;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private int done;
    private String current = "";
    private boolean closed;

    private Progress(String label, int total, Sink sink, LongSupplier nanoClock) {
        if (total < 0) {
            throw new NotebookException("progress total must be >= 0, got " + total);
        }
        this.label = Objects.requireNonNull(label, "label");
        this.total = total;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        sink.show(state(), false);
    }

    /** Starts showing progress of {@code total} runs in the given sink. */
    public static Progress start(String label, int total, Sink sink) {
        return new Progress(label, total, sink, System::nanoTime);
    }

    /** {@link #start} with an explicit clock (for tests). */
    static Progress start(String label, int total, Sink sink, LongSupplier nanoClock) {
        return new Progress(label, total, sink, nanoClock);
    }

    /**
     * A notebook sink: {@code display} shows HTML and returns its display id; {@code update}
     * replaces the output with that id. Pass the kernel's {@code display}/{@code updateDisplay}.
     */
    public static Starter inNotebook(Function<String, String> display, BiConsumer<String, String> update) {
        return new Starter(notebookSink(display, update));
    }

    /** A sink rewriting one line on stderr. */
    public static Starter onConsole() {
        return new Starter(consoleSink(System.err));
    }

    /** Binds a sink so {@code start(label, total)} reads as one call. */
    public record Starter(Sink sink) {
        /** Starts showing progress of {@code total} runs. */
        public Progress start(String label, int total) {
            return Progress.start(label, total, sink);
        }
    }

    static Sink notebookSink(Function<String, String> display, BiConsumer<String, String> update) {
        return new Sink() {
            private String id;

            @Override
            public void show(State state, boolean last) {
                if (id == null) {
                    id = display.apply(state.html());
                } else {
                    update.accept(id, state.html());
                }
            }
        };
    }

    static Sink consoleSink(PrintStream out) {
        return (state, last) -> {
            out.print("\r" + state.line() + (last ? "\n" : ""));
            out.flush();
        };
    }

    /** Names the item now being worked on. */
    public void working(String item) {
        current = item == null ? "" : item;
        sink.show(state(), false);
    }

    /** Marks one more run done. */
    public void advance() {
        done = Math.min(total, done + 1);
        sink.show(state(), false);
    }

    /** The current snapshot. */
    public State state() {
        return new State(label, done, total, current, Duration.ofNanos(nanoClock.getAsLong() - startNanos));
    }

    /** Shows the final state (once). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            current = "";
            sink.show(state(), true);
        }
    }

    private static String clock(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
