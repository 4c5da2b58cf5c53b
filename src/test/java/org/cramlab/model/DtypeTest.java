package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import org.cramlab.checkpoint.Bf16;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reduced-precision weights against the float32 transformers reference, on the real positions of the
 * padded batch. Stated tolerances (measured: bf16 agreement 0.94-1.0 and max diff 1-2% of max |logit|,
 * f16 agreement 1.0 and max diff <= 0.4%): max abs logit diff <= 5% (bf16) / 1% (f16) of the reference
 * logits' max |value|; argmax agreement >= 90% (bf16) / 99% (f16), and every disagreement is a near-tie
 * (the reference prefers its token by at most 2x the max abs diff). Tiny random models have many
 * near-ties over 256 tokens, so the argmax count alone is noisy.
 */
class DtypeTest {

    @ParameterizedTest
    @CsvSource({"llama,bfloat16", "llama,float16", "gpt_neox_parallel,bfloat16", "gpt2,float16", "opt_350m_style,bfloat16",
        "olmo,float16", "mamba,float16", "mamba_untied,bfloat16"})
    void reducedPrecisionStaysCloseToFloat32(String name, String dtype) {
        LoadOptions opts = LoadOptions.builder().optDtype(dtype).optModelId(name + "-" + dtype).build();
        try (CausalLM model = Models.load(Golden.dir(name), opts); NDManager m = NDManager.newBaseManager()) {
            assertEquals(dtype, model.info().dtype());
            assertEquals(name + "-" + dtype, model.info().modelId());
            NDArray w = model.parameters().get(0);
            if (dtype.equals("bfloat16")) { // emulated: float32 storage of bf16-rounded values
                assertEquals(DataType.FLOAT32, w.getDataType());
                float[] v = w.toFloatArray();
                for (int i = 0; i < Math.min(v.length, 1000); i++) {
                    assertEquals(Bf16.round(v[i]), v[i], 0f);
                }
            } else {
                assertEquals(DataType.FLOAT16, w.getDataType());
            }
            Map<String, NDArray> ref = Golden.reference(name, m);
            NDArray logits = model.forward(model.embed(ref.get("batch_input_ids")), ref.get("batch_attention_mask"));
            assertEquals(DataType.FLOAT32, logits.getDataType());
            NDArray expect = ref.get("batch_logits");
            NDArray real = ref.get("batch_attention_mask").toType(DataType.BOOLEAN, false);
            boolean bf16 = dtype.equals("bfloat16");
            float scale = expect.abs().max().getFloat();
            float diff = logits.sub(expect).abs().mul(real.expandDims(2).toType(DataType.FLOAT32, false)).max().getFloat();
            assertTrue(diff <= (bf16 ? 0.05f : 0.01f) * scale, name + " " + dtype + " diff " + diff + " scale " + scale);

            int v = (int) expect.getShape().get(2);
            float[] got = logits.toFloatArray();
            float[] want = expect.toFloatArray();
            boolean[] isReal = real.toBooleanArray();
            int positions = 0;
            int agreeing = 0;
            for (int p = 0; p < isReal.length; p++) {
                if (!isReal[p]) {
                    continue;
                }
                positions++;
                int ours = argmax(got, p * v, v);
                int theirs = argmax(want, p * v, v);
                if (ours == theirs) {
                    agreeing++;
                } else {
                    float gap = want[p * v + theirs] - want[p * v + ours];
                    assertTrue(gap <= 2 * diff, name + " " + dtype + " position " + p + " not a near-tie: gap " + gap);
                }
            }
            double agreement = (double) agreeing / positions;
            System.out.printf("%s %s: argmax agreement %.3f, max abs diff %.4f (%.4f of max |logit| %.2f)%n",
                    name, dtype, agreement, diff, diff / scale, scale);
            assertTrue(agreement >= (bf16 ? 0.90 : 0.99), name + " " + dtype + " agreement " + agreement);
        }
    }

    private static int argmax(float[] a, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (a[from + i] > a[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
