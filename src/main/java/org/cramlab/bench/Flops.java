package org.cramlab.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.model.ModelInfo;

/**
 * FLOP estimate of one cramming step and the bf16 peaks of common GPUs.
 *
 * <p>The usual training estimate is 6 * params * tokens (forward 2, backward 4: gradients of the
 * activations and of the weights). Cramming freezes the weights, so the backward pass needs only the
 * activation gradients (dX = dY W, no dW = X^T dY): forward 2 + backward 2 = 4 FLOPs per matmul
 * weight per token. Attention adds 4 * T * d per token and layer in the forward (QK^T and PV over
 * all T keys, as dense kernels compute them) and twice that in the backward (dQ, dK, dV, dP):
 * <pre>
 *   FLOPs/step = 4 * P_matmul * T_tokens + 12 * layers * T^2 * d * B
 * </pre>
 * with T = K + L per row (the paper's step; cramlab's feeds K + L - 1, the last token predicting
 * nothing, so its GFLOP/s count the same work as the reference's), P_matmul = weights used in matmuls (all parameters minus the input
 * embedding table, which is a lookup; a tied output head is counted once, as the matmul it is).
 * Norm, softmax, RoPE and AdamW on the K x d memory are negligible and left out.
 */
public final class Flops {

    /**
     * Dense (no sparsity) bf16 tensor-core peak TFLOPS from the vendors' data sheets. GPUs without
     * bf16 (V100, T4) are absent; pass {@code --gpu-peak-tflops} for anything else.
     */
    public static final Map<String, Double> GPU_BF16_PEAK_TFLOPS = new TreeMap<>(Map.of(
            "h100-sxm", 989.0,
            "h100-pcie", 756.0,
            "h200", 989.0,
            "a100", 312.0,
            "l40s", 362.0,
            "l4", 121.0,
            "a10", 125.0,
            "a10g", 70.0,
            "rtx4090", 165.0,
            "rtx3090", 71.0));

    private Flops() {}

    /**
     * The model's matmul weight count and depth.
     *
     * @param matmulParams P_matmul
     * @param layers attention layers (0 for Mamba, whose scan costs O(T) like a norm and is left out)
     * @param hidden d
     */
    public record Shape(long matmulParams, int layers, int hidden) {

        /** From the loaded model's info and its config.json. */
        public static Shape of(ModelInfo info, HfConfig cfg) {
            int layers = cfg.modelType().equals("mamba") ? 0 : cfg.optInt("num_hidden_layers", cfg.optInt("n_layer", 0));
            // gpt2 ties by default; llama and OPT say so in the config; gpt_neox defaults to untied.
            boolean tied = cfg.optBool("tie_word_embeddings", cfg.modelType().equals("gpt2") || cfg.modelType().equals("opt"));
            long table = (long) info.vocabSize() * info.hiddenSize();
            return new Shape(tied ? info.numParameters() : info.numParameters() - table, layers, info.hiddenSize());
        }
    }

    /** FLOPs of one step over {@code batch} rows of {@code tokens} = K + L positions each. */
    public static double perStep(Shape s, int batch, int tokens) {
        return 4.0 * s.matmulParams() * batch * tokens + 12.0 * s.layers() * (double) tokens * tokens * s.hidden() * batch;
    }

    /** The peak for a GPU name as nvidia-smi prints it ("NVIDIA A100-SXM4-80GB"), or null if unknown. */
    public static Double peakFor(String gpuName) {
        String n = gpuName.toLowerCase(Locale.ROOT).replace(" ", "").replace("nvidia", "").replace("geforce", "");
        Double best = null;
        int bestLen = 0;
        for (Map.Entry<String, Double> e : GPU_BF16_PEAK_TFLOPS.entrySet()) {
            String key = e.getKey().replace("-", "");
            String plain = n.replace("-", "");
            // longest matching key wins: "h100-pcie" before "h100-sxm" fallbacks, "a10g" before "a10"
            if (plain.contains(key) && key.length() > bestLen) {
                best = e.getValue();
                bestLen = key.length();
            }
        }
        if (best == null && n.contains("h100")) {
            best = GPU_BF16_PEAK_TFLOPS.get("h100-sxm");
        }
        return best;
    }
}
