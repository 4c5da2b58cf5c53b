/**
 * Reading and writing Hugging Face model folders: safetensors (bf16/f16/f32), config.json and the
 * tokenizer, with no model code; the layer every model implementation loads from.
 */
package org.cramlab.checkpoint;
