/**
 * The cramming engine: K trainable float32 vectors prepended to a frozen model's input embeddings,
 * optimised until the model reproduces one text (Kuratov et al., ACL 2025).
 *
 * <pre>{@code
 * try (CausalLM model = Models.load(dir)) {
 *     CramResult one = new Crammer(model, CramSettings.paper()).run(CramTask.ofIds(ids, 1));
 *     List<CramResult> many = new BatchedCrammer(model, CramSettings.builder().optBatchSize(8).build())
 *             .run(tasks, listener);            // listener.onFinished(result) as each run stops
 * }
 * }</pre>
 *
 * <p>Per step (paper section 1.1-1.2): input {@code [memory; embed(tokens)]}, logits at text
 * positions shifted, loss = mean cross-entropy over the L-1 targets (nats), accuracy = teacher-forced
 * argmax accuracy over the same targets, both recorded before the AdamW update. Metrics: see
 * {@link org.cramlab.cram.RunRecord} and {@link org.cramlab.cram.Metrics}.
 */
package org.cramlab.cram;
