package org.cramlab.sweep;

/**
 * How far one shard is.
 *
 * @param shard the shard
 * @param total runs assigned to it
 * @param done of those, runs recorded in the run folder
 */
public record ShardStatus(Shard shard, int total, int done) {
    /** Runs still to do. */
    public int missing() {
        return total - done;
    }
}
