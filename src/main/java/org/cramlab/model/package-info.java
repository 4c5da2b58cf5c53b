/**
 * Decoder-only language models in DJL (Llama, GPT-2, GPT-NeoX, OPT, OLMo, Mamba) behind one
 * {@link org.cramlab.model.CausalLM} interface, loaded from a checkpoint folder and frozen for cramming.
 * {@link org.cramlab.model.LayerView} runs a loaded model in part (its first N layers, or with the memory's
 * attention knocked out from a layer on) without copying a weight.
 */
package org.cramlab.model;
