/**
 * cramlab's default model, trained by cramlab itself: a byte-level BPE
 * ({@link org.cramlab.train.BpeTrainer}), a small Llama trained on the corpus's training split
 * ({@link org.cramlab.train.DefaultModelTrainer}, {@code cramlab train-default}), its evaluation
 * ({@link org.cramlab.train.DefaultModelEval}, {@code cramlab eval-default}) and the committed result
 * ({@link org.cramlab.train.DefaultModel#directory()}).
 */
package org.cramlab.train;
