/**
 * Cramming as compression: quantised memories, their precision sweep, the arithmetic-coded baselines
 * and the compress/decompress container format.
 */
package org.cramlab.bits;
