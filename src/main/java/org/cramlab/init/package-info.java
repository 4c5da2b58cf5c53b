/**
 * Learned starts for the memory (issue 26): instead of the paper's random init, start each run from the mean
 * of solved memories, the solved memory of the nearest training text, or a ridge-regression encoder from a
 * text feature to the memory. Fitted inits are files bound to one model by its fingerprint. Sits above
 * {@code bits} (for the model fingerprint) and below {@code capacity}, so capacity strategies may use it.
 */
package org.cramlab.init;
