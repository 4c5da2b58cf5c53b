package org.cramlab.model;

/**
 * OLMo v1 ({@code model_type} olmo): transformers' OlmoForCausalLM is Llama's network with a
 * LayerNorm that has no weight or bias and optional {@code clip_qkv}, so it reuses {@link Llama}.
 */
final class Olmo {

    private Olmo() {}

    /** Loads an OLMo checkpoint. */
    static CausalLM load(Source src) {
        return Llama.load(src, true);
    }
}
