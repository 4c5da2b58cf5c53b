/**
 * What a crammed memory does to the model (Progressive Cramming's questions; notebook 10,
 * docs/memory-effects.md): greedy horizons inside a rank-k subspace and on a model cut to N layers, the
 * reconstruction left when the memory's attention is knocked out from a layer on, and the cross-entropy a
 * memory adds to other texts.
 *
 * <pre>{@code
 * MemoryEffects.Result r = new MemoryEffects(MemoryEffects.Setup.smoke(), System.out::println)
 *         .run(modelDir, Subspace.Kind.RANDOM);
 * Table byRank = MemoryEffects.horizonSummary(r.rank());
 * }</pre>
 */
package org.cramlab.effects;
