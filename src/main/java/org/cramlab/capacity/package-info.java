/**
 * Everything about finding a decoding capacity: the paper's rule ({@link org.cramlab.capacity.CapacityRule}),
 * the strategies (grid, grid refinement, warm-started staged, bisection, progressive), staged scoring, repair and
 * the in-memory search; persistence is the run layer's ({@code org.cramlab.run.CapacitySearch}).
 */
package org.cramlab.capacity;
