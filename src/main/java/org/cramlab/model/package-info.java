/**
 * Decoder-only language models in DJL (Llama, GPT-2, GPT-NeoX, OPT, OLMo, Mamba) behind one
 * {@link org.cramlab.model.CausalLM} interface, loaded from a checkpoint folder and frozen for cramming.
 */
package org.cramlab.model;
