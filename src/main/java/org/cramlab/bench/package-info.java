/**
 * Benchmarks that print numbers: step time, batching, memory, load time, peak memory and the capacity
 * strategies' cost against the grid, with the PyTorch reference for comparison.
 */
package org.cramlab.bench;
