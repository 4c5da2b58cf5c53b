package org.cramlab.sweep;

/**
 * What one shard did.
 *
 * @param shard the shard
 * @param assigned runs of the plan in this shard
 * @param skipped of those, runs already recorded when the shard started
 * @param ran runs this shard ran now
 * @param writer the record writer ({@code records/<writer>.jsonl}), or null when there was nothing to run
 */
public record ShardResult(Shard shard, int assigned, int skipped, int ran, String writer) {
    @Override
    public String toString() {
        return "shard " + shard + ": " + assigned + " runs, " + skipped + " already recorded, " + ran + " run now"
                + (writer == null ? "" : " (records/" + writer + ".jsonl)");
    }
}
