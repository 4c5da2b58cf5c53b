package org.cramlab.sweep;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cramlab.run.RunFolder;

/**
 * Shard {@code index} of {@code count} (0-based), as in {@code --shard 2/8}. Which runs belong to a shard
 * depends only on their ids ({@code ExperimentPlan.shard}), so any count works and a plan can be resumed
 * with a different count.
 *
 * @param index this shard, {@code 0 <= index < count}
 * @param count number of shards
 */
public record Shard(int index, int count) {
    private static final Pattern SPEC = Pattern.compile("(\\d+)/(\\d+)");
    private static final Pattern WRITER = Pattern.compile("shard-(\\d+)-of-(\\d+)-.+");

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new SweepException("shard must be i/n with 0 <= i < n, got " + index + "/" + count);
        }
    }

    /** The whole plan as one shard (the one-machine default). */
    public static Shard all() {
        return new Shard(0, 1);
    }

    /** Parses {@code "i/n"}. */
    public static Shard parse(String spec) {
        Matcher m = SPEC.matcher(spec == null ? "" : spec.trim());
        if (!m.matches()) {
            throw new SweepException("--shard expects i/n (e.g. 0/4), got '" + spec + "'");
        }
        try {
            return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new SweepException("--shard numbers too large in '" + spec + "'", e);
        }
    }

    /**
     * The name of this shard's record writer, {@code shard-<i>-of-<n>-<tag>}: one file per process, so
     * shards (and a rerun of a shard next to a still-running one) never append to the same file.
     */
    public String writerName(String tag) {
        if (tag == null || !tag.matches("[A-Za-z0-9._-]+")) {
            throw new SweepException("writer tag must be letters, digits, '.', '_' or '-', got '" + tag + "'");
        }
        return "shard-" + index + "-of-" + count + "-" + tag;
    }

    /** The shard a writer name from {@link #writerName} belongs to, if it is one. */
    public static Optional<Shard> ofWriterName(String writer) {
        Matcher m = WRITER.matcher(writer);
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A tag unique to this process: {@code slurm<jobid>} inside a Slurm job (plus {@code -r<n>} after
     * the n-th requeue, as a requeued job keeps its id), else {@code localWriter} (host and pid).
     */
    public static String writerTag(Map<String, String> env, String localWriter) {
        String job = env.get("SLURM_JOB_ID");
        if (job != null && job.matches("\\d+")) {
            String restarts = env.getOrDefault("SLURM_RESTART_COUNT", "0");
            return "slurm" + job + (restarts.matches("[1-9]\\d*") ? "-r" + restarts : "");
        }
        return localWriter;
    }

    /** {@link #writerTag(Map, String)} for the running process. */
    public static String currentWriterTag() {
        return writerTag(System.getenv(), RunFolder.defaultWriter());
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
