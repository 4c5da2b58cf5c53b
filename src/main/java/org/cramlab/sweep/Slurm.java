package org.cramlab.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The Slurm client commands a sweep uses: {@code sbatch} to submit, {@code squeue} to watch. */
public final class Slurm {
    private static final long TIMEOUT_SECONDS = 120;

    private Slurm() {}

    /**
     * True when {@code sbatch} is on the PATH and a controller answers ({@code sinfo} succeeds): then
     * {@code --slurm} submits instead of printing the script. Installed client tools without a reachable
     * cluster (no slurm.conf, controller down) count as unavailable.
     */
    public static boolean available() {
        return Commands.onPath("sbatch") && Commands.onPath("sinfo")
                && Commands.run(List.of("sinfo", "-h", "-o", "%P"), 60).exitCode() == 0;
    }

    /** Submits {@code script} with {@code sbatch --parsable} and returns the job id. */
    public static String submit(Path script) {
        return submit(script, List.of());
    }

    /** Submits {@code script} with {@code sbatch --parsable <options> script} (e.g. a dependency) and returns the job id. */
    public static String submit(Path script, List<String> options) {
        List<String> cmd = new java.util.ArrayList<>(List.of("sbatch", "--parsable"));
        cmd.addAll(options);
        cmd.add(script.toString());
        Commands.Result r = Commands.run(cmd, TIMEOUT_SECONDS);
        if (r.exitCode() != 0) {
            throw new SweepException("sbatch " + script + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        // --parsable prints "<jobid>" or "<jobid>;<cluster>".
        String id = r.stdout().strip().split(";", 2)[0];
        if (!id.matches("\\d+")) {
            throw new SweepException("sbatch printed no job id for " + script + ": '" + r.stdout().strip() + "'");
        }
        return id;
    }

    /**
     * How many array tasks of {@code jobId} Slurm still holds, per state (PENDING, RUNNING, ...); empty once
     * every task has left the queue, or when squeue is not available.
     */
    public static Map<String, Integer> queue(String jobId) {
        Map<String, Integer> states = new TreeMap<>();
        if (jobId == null || !Commands.onPath("squeue")) return states;
        // -r lists each array task on its own line; a job that has left the queue gives exit 1 or no lines.
        Commands.Result r = Commands.run(List.of("squeue", "-h", "-r", "-j", jobId, "-o", "%T"), TIMEOUT_SECONDS);
        if (r.exitCode() != 0) return states;
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) states.merge(line.strip(), 1, Integer::sum);
        }
        return states;
    }

    /**
     * The state (PENDING, RUNNING, ...) of each task of {@code jobId} Slurm still holds, by array index ("" for a job
     * that is no array); empty once the job has left the queue, or when squeue is not available.
     */
    public static Map<String, String> tasks(String jobId) {
        Map<String, String> states = new TreeMap<>();
        if (jobId == null || !Commands.onPath("squeue")) return states;
        Commands.Result r = Commands.run(List.of("squeue", "-h", "-r", "-j", jobId, "-o", "%i %T"), TIMEOUT_SECONDS);
        if (r.exitCode() != 0) return states;
        for (String line : r.stdout().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 2) continue;
            int sep = f[0].indexOf('_');
            states.put(sep < 0 ? "" : f[0].substring(sep + 1), f[1]);
        }
        return states;
    }
}
