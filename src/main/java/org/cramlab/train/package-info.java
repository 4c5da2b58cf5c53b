/**
 * Training and evaluating cramlab's small default model (a Llama-shaped model and its byte-level BPE
 * tokenizer), so the library runs with no downloaded checkpoint.
 */
package org.cramlab.train;
