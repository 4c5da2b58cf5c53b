/**
 * One class per experiment or figure of the paper (capacity vs length, entropy, K; memory geometry,
 * progressive cramming, bits, quickstart), each building plans for the run layer and tables from its records.
 */
package org.cramlab.experiment;
