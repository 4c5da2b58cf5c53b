package org.cramlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cramlab.checkpoint.SafetensorsWriter;

/**
 * The shape of a Llama model cramlab trains, written as a Hugging Face {@code config.json}
 * (LlamaForCausalLM) so that it loads through {@code Models.load} like any Hub checkpoint.
 *
 * @param vocabSize tokenizer size
 * @param hidden model width d
 * @param intermediate SwiGLU width
 * @param layers decoder layers
 * @param heads query heads (head dim = hidden / heads)
 * @param kvHeads key/value heads (grouped-query attention)
 * @param maxPositions longest sequence (memory + text) the model takes
 * @param ropeTheta RoPE base
 * @param bosId BOS token id
 * @param eosId EOS token id
 */
public record LlamaShape(int vocabSize, int hidden, int intermediate, int layers, int heads, int kvHeads,
        int maxPositions, double ropeTheta, int bosId, int eosId) {

    public LlamaShape {
        if (hidden % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " must be a multiple of heads " + heads
                    + ", and heads a multiple of kvHeads " + kvHeads);
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    /** Number of weights (embeddings tied with the output layer). */
    public long numParameters() {
        long kv = (long) kvHeads * headDim();
        long perLayer = 2L * hidden * hidden + 2L * hidden * kv + 3L * hidden * intermediate + 2L * hidden;
        return (long) vocabSize * hidden + layers * perLayer + hidden;
    }

    /** {@code config.json} content as transformers' LlamaConfig writes it (float32, tied embeddings). */
    public Map<String, Object> configJson() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", new String[] {"LlamaForCausalLM"});
        c.put("model_type", "llama");
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hidden);
        c.put("intermediate_size", intermediate);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim());
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", maxPositions);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", ropeTheta);
        c.put("rope_scaling", null);
        c.put("attention_bias", false);
        c.put("attention_dropout", 0.0);
        c.put("mlp_bias", false);
        c.put("pretraining_tp", 1);
        c.put("tie_word_embeddings", true);
        c.put("initializer_range", 0.02);
        c.put("use_cache", true);
        c.put("bos_token_id", bosId);
        c.put("eos_token_id", eosId);
        c.put("torch_dtype", "float32");
        return c;
    }

    /** Writes {@code config.json} and {@code generation_config.json} into {@code dir}. */
    public void writeConfigs(Path dir) {
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("bos_token_id", bosId);
        gen.put("eos_token_id", eosId);
        gen.put("do_sample", false);
        try {
            Files.createDirectories(dir);
            var gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
            Files.writeString(dir.resolve("config.json"), gson.toJson(configJson()));
            Files.writeString(dir.resolve("generation_config.json"), gson.toJson(gen));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write config files to " + dir, e);
        }
    }

    /**
     * Fresh weights, named as transformers' LlamaForCausalLM: N(0, 0.02) for embeddings and
     * projections, ones for norms. Deliberately unlike transformers' init, the residual output
     * projections (o_proj, down_proj) get std 0.02 / sqrt(2 * layers) (GPT-2's scaling), which trains
     * small deep-narrow models more stably.
     */
    public Map<String, NDArray> initialWeights(NDManager m) {
        float std = 0.02f;
        float residualStd = (float) (std / Math.sqrt(2.0 * layers));
        int kv = kvHeads * headDim();
        Map<String, NDArray> w = new LinkedHashMap<>();
        w.put("model.embed_tokens.weight", normal(m, std, vocabSize, hidden));
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            w.put(p + "input_layernorm.weight", m.ones(new Shape(hidden)));
            w.put(p + "self_attn.q_proj.weight", normal(m, std, hidden, hidden));
            w.put(p + "self_attn.k_proj.weight", normal(m, std, kv, hidden));
            w.put(p + "self_attn.v_proj.weight", normal(m, std, kv, hidden));
            w.put(p + "self_attn.o_proj.weight", normal(m, residualStd, hidden, hidden));
            w.put(p + "post_attention_layernorm.weight", m.ones(new Shape(hidden)));
            w.put(p + "mlp.gate_proj.weight", normal(m, std, intermediate, hidden));
            w.put(p + "mlp.up_proj.weight", normal(m, std, intermediate, hidden));
            w.put(p + "mlp.down_proj.weight", normal(m, residualStd, hidden, intermediate));
        }
        w.put("model.norm.weight", m.ones(new Shape(hidden)));
        return w;
    }

    /** Writes configs and fresh weights ({@code model.safetensors}) into {@code dir}. */
    public void writeInitialModel(Path dir, NDManager m) {
        writeConfigs(dir);
        try (NDManager sub = m.newSubManager()) {
            SafetensorsWriter.write(dir.resolve("model.safetensors"), initialWeights(sub));
        }
    }

    private static NDArray normal(NDManager m, float std, long... shape) {
        return m.randomNormal(0f, std, new Shape(shape), DataType.FLOAT32);
    }
}
