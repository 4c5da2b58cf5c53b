/**
 * The run layer: plans, run folders and their record store, the runners that execute plans (resumable,
 * shardable), text resolution and the persisted capacity search.
 */
package org.cramlab.run;
