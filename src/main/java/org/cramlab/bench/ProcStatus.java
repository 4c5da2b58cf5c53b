package org.cramlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from {@code /proc/self/status} (Linux), in kB as the kernel reports.
 *
 * @param rssKb VmRSS, resident now
 * @param hwmKb VmHWM, peak resident since start or the last {@link #resetPeak()}
 * @param anonKb RssAnon, resident anonymous memory (heap, native tensors)
 * @param fileKb RssFile, resident file-backed pages (jars, libraries, memory-mapped checkpoints)
 */
public record ProcStatus(long rssKb, long hwmKb, long anonKb, long fileKb) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /** Whether /proc/self/status exists (Linux). */
    public static boolean available() {
        return Files.isReadable(STATUS);
    }

    /** Reads this process's status; fails naming the file when it is absent (not Linux). */
    public static ProcStatus read() {
        try {
            return parse(Files.readString(STATUS));
        } catch (IOException e) {
            throw new BenchException("cannot read " + STATUS + " (memory figures need Linux): " + e, e);
        }
    }

    /** Parses the text of a {@code /proc/<pid>/status} file; absent fields are -1. */
    public static ProcStatus parse(String status) {
        long rss = -1, hwm = -1, anon = -1, file = -1;
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            switch (key) {
                case "VmRSS" -> rss = kb(line, colon);
                case "VmHWM" -> hwm = kb(line, colon);
                case "RssAnon" -> anon = kb(line, colon);
                case "RssFile" -> file = kb(line, colon);
                default -> { }
            }
        }
        if (rss < 0 || hwm < 0) {
            throw new BenchException("status text has no VmRSS/VmHWM lines (expected '/proc/self/status' of Linux)");
        }
        return new ProcStatus(rss, hwm, anon, file);
    }

    private static long kb(String line, int colon) {
        String v = line.substring(colon + 1).trim();
        if (!v.endsWith("kB")) {
            throw new BenchException("unexpected unit in status line '" + line + "', expected 'kB'");
        }
        try {
            return Long.parseLong(v.substring(0, v.length() - 2).trim());
        } catch (NumberFormatException e) {
            throw new BenchException("bad number in status line '" + line + "'", e);
        }
    }

    /**
     * Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs, Linux >= 4.0), so the next
     * peak covers only what follows. Returns false where the kernel does not allow it.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Megabytes (MiB) of a kB figure. */
    public static double mib(long kb) {
        return kb / 1024.0;
    }
}
