/**
 * Aggregates of run records (capacity, Table 1 gains, Figure 3's line) and the tables and Plotly figures
 * of the paper's results.
 */
package org.cramlab.report;
