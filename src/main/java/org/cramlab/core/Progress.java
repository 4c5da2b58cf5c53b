package org.cramlab.core;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Progress of long work: units done out of total, the item being worked on, elapsed time and an
 * ETA. Where it is shown is a {@link Sink}: on the command line ({@link #onConsole()}) one line on a terminal's
 * stderr rewritten with {@code \r}, or, when stderr is a pipe or a file, whole lines at most one every
 * {@link #LINE_INTERVAL} plus the final one (a log stays readable); in a notebook one output updated in place
 * (the notebook package's {@code NotebookProgress}).
 *
 * <pre>{@code
 * try (Progress p = Progress.onConsole().start("cramming", texts.size())) {
 *     for (var t : texts) { p.working(t.name()); ...; p.advance(); }
 * }
 * }</pre>
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
     * @param done units finished
     * @param total units planned
     * @param current the item being worked on, or "" if none
     * @param elapsed time since start
     */
    public record State(String label, int done, int total, String current, Duration elapsed) {
        /** Estimated time left from the mean time per finished unit; null before the first one. */
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

        /** Whole percent done (100 when there is nothing to do). */
        public int percent() {
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
    private long lastWorking = Long.MIN_VALUE;
    private static final long THROTTLE_NANOS = 250_000_000L;

    private Progress(String label, int total, Sink sink, LongSupplier nanoClock) {
        if (total < 0) {
            throw new IllegalArgumentException("progress total must be >= 0, got " + total);
        }
        this.label = Objects.requireNonNull(label, "label");
        this.total = total;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        sink.show(state(), false);
    }

    /** Starts showing progress of {@code total} units in the given sink. */
    public static Progress start(String label, int total, Sink sink) {
        return new Progress(label, total, sink, System::nanoTime);
    }

    /** {@link #start} with an explicit clock in nanoseconds (for tests). */
    public static Progress start(String label, int total, Sink sink, LongSupplier nanoClock) {
        return new Progress(label, total, sink, nanoClock);
    }

    /** The command-line renderer: one line on stderr, rewritten in place. */
    public static Starter onConsole() {
        return new Starter(consoleSink(System.err));
    }

    /** Shows nothing (tests, batch jobs whose log should stay clean). */
    public static Starter silent() {
        return new Starter((state, last) -> { });
    }

    /** Binds a sink so {@code start(label, total)} reads as one call. */
    public record Starter(Sink sink) {
        /** Starts showing progress of {@code total} units. */
        public Progress start(String label, int total) {
            return Progress.start(label, total, sink);
        }
    }

    /** Shortest time between two lines of {@link #lineSink} (the first and the final line are always shown). */
    public static final Duration LINE_INTERVAL = Duration.ofSeconds(5);

    /** The console sink for stderr: {@link #inPlaceSink} on a terminal, else {@link #lineSink}. */
    public static Sink consoleSink(PrintStream out) {
        return consoleSink(new PrintWriter(out));
    }

    /** {@link #consoleSink(PrintStream)} on a writer that goes to stderr (a picocli command's error stream). */
    public static Sink consoleSink(PrintWriter out) {
        return Terminal.stderrIsTerminal() ? inPlaceSink(out) : lineSink(out);
    }

    /** One line on {@code out} rewritten with {@code \r}, ended with a newline by the last state (a terminal). */
    public static Sink inPlaceSink(PrintWriter out) {
        return (state, last) -> {
            out.print("\r" + state.line() + (last ? "\n" : ""));
            out.flush();
        };
    }

    /**
     * Whole lines, no carriage returns (a pipe or a file): the first state, then at most one line per
     * {@link #LINE_INTERVAL} of elapsed time, and the final state.
     */
    public static Sink lineSink(PrintWriter out) {
        return new Sink() {
            private Duration shown;

            @Override
            public void show(State state, boolean last) {
                if (last || shown == null || state.elapsed().minus(shown).compareTo(LINE_INTERVAL) >= 0) {
                    shown = state.elapsed();
                    out.println(state.line());
                    out.flush();
                }
            }
        };
    }

    /** Names the item now being worked on. */
    public void working(String item) {
        current = item == null ? "" : item;
        sink.show(state(), false);
    }

    /**
     * {@link #working} for per-step updates: shown at most four times a second, and {@code item} is built only
     * when it is shown.
     */
    public void workingThrottled(java.util.function.Supplier<String> item) {
        long now = nanoClock.getAsLong();
        if (lastWorking == Long.MIN_VALUE || now - lastWorking >= THROTTLE_NANOS) {
            lastWorking = now;
            working(item.get());
        }
    }

    /** Sets units done and the current item at once (one update shown). */
    public void update(int done, String item) {
        this.done = Math.max(0, Math.min(total, done));
        current = item == null ? "" : item;
        sink.show(state(), false);
    }

    /** Marks one more unit done. */
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
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
