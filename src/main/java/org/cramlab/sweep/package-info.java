/**
 * Running a plan's shards in parallel: locally, or on Slurm (sbatch scripts, submission, status), each shard
 * a run-layer runner on its own slice of the plan.
 */
package org.cramlab.sweep;
