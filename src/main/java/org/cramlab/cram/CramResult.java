package org.cramlab.cram;

/**
 * A finished run: its record and the memory that achieved the best accuracy.
 *
 * @param record the run record (metrics, per-step traces, environment)
 * @param bestMemory row-major [K, d] float32 memory of the best step (the pre-update parameters)
 */
public record CramResult(RunRecord record, float[] bestMemory) {}
