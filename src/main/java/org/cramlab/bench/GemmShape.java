package org.cramlab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One linear layer's matmul at one sequence length: {@code x[t, dIn] · W[dOut, dIn]ᵀ}, and how often one
 * optimisation step runs it ({@code perStep}: once per layer, the output head once). The shapes are those
 * of the paper's models at the benchmark's lengths (T = K + L, K = 1).
 *
 * @param model the model shape's name
 * @param layer the layer's name
 * @param t rows (tokens)
 * @param dIn input width
 * @param dOut output width
 * @param perStep times one step's forward runs this matmul (the backward runs its activation gradient as often)
 */
public record GemmShape(String model, String layer, int t, int dIn, int dOut, int perStep) {

    /** The model shapes {@code bench gemm} knows, with the lengths L the step benchmark uses for them. */
    public static final Map<String, List<Integer>> MODEL_LENGTHS = BenchOptions.SHAPE_LENGTHS;

    /** FLOPs of one call (a multiply-add counts 2). */
    public double flops() {
        return 2.0 * t * dIn * dOut;
    }

    /** E.g. "768x2304". */
    public String dims() {
        return String.format(Locale.ROOT, "%dx%d", dIn, dOut);
    }

    /** Every layer shape of {@code model} at each length (T = L + 1), in the order a step runs them. */
    public static List<GemmShape> of(String model, List<Integer> lengths) {
        List<GemmShape> out = new ArrayList<>();
        for (int l : lengths) {
            int t = l + 1;
            switch (model) {
                case "pythia-160m" -> {
                    // GPT-NeoX: fused qkv, attention output, MLP 4d, untied head (vocab 50304); 12 layers
                    out.add(new GemmShape(model, "qkv", t, 768, 3 * 768, 12));
                    out.add(new GemmShape(model, "attn out", t, 768, 768, 12));
                    out.add(new GemmShape(model, "mlp up", t, 768, 4 * 768, 12));
                    out.add(new GemmShape(model, "mlp down", t, 4 * 768, 768, 12));
                    out.add(new GemmShape(model, "head", t, 768, 50304, 1));
                }
                case "llama-3.2-1b" -> {
                    // Llama: q and o 2048, k and v 8 kv heads x 64, gate and up 8192, tied head 128256; 16 layers
                    out.add(new GemmShape(model, "q, o", t, 2048, 2048, 2 * 16));
                    out.add(new GemmShape(model, "k, v", t, 2048, 512, 2 * 16));
                    out.add(new GemmShape(model, "gate, up", t, 2048, 8192, 2 * 16));
                    out.add(new GemmShape(model, "down", t, 8192, 2048, 16));
                    out.add(new GemmShape(model, "head", t, 2048, 128256, 1));
                }
                default -> throw new BenchException("unknown model shape '" + model + "' (expected one of "
                        + String.join(", ", MODEL_LENGTHS.keySet().stream().sorted().toList()) + ")");
            }
        }
        return out;
    }
}
