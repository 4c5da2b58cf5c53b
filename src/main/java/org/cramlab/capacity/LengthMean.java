package org.cramlab.capacity;

/**
 * One grid length of a capacity search: how many texts ran there, their mean best accuracy, and whether it passes.
 *
 * @param length L
 * @param runs texts with at least L tokens
 * @param meanBestAccuracy mean best (for staged strategies: measured, implied or evaluated) accuracy
 * @param passed meanBestAccuracy >= 0.99 ({@link CapacityRule#passes})
 */
public record LengthMean(int length, int runs, double meanBestAccuracy, boolean passed) implements CapacityRule.PerLength {}
