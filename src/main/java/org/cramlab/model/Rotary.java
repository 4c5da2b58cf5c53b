package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.Optional;
import org.cramlab.checkpoint.HfConfig;

/**
 * Rotary position embedding (RoPE) as transformers computes it, with partial rotation (GPT-NeoX) and
 * the llama3 / linear frequency scalings. Cos/sin tables are computed once in float32 on the model's
 * manager and grown when a longer sequence arrives.
 */
final class Rotary {

    /** Parsed RoPE settings. {@code rotaryDims} is how many leading dims of a head rotate. */
    record Spec(double theta, int rotaryDims, String type, double factor, double lowFreqFactor,
            double highFreqFactor, int originalMaxPositions) {

        /**
         * Reads both layouts: Hub checkpoints ({@code rope_theta}/{@code rotary_emb_base},
         * {@code rope_scaling}, {@code rotary_pct}/{@code partial_rotary_factor}) and transformers 5
         * ({@code rope_parameters} holding all of them).
         */
        static Spec parse(HfConfig cfg, int headDim, String thetaAlias, double defaultPartial, int maxPositions) {
            Optional<HfConfig> params = cfg.optObject("rope_parameters");
            Optional<HfConfig> scaling = params.isPresent() ? params : cfg.optObject("rope_scaling");
            double theta = params.map(p -> p.optDouble("rope_theta", Double.NaN)).orElse(Double.NaN);
            if (Double.isNaN(theta)) {
                theta = cfg.optDouble("rope_theta", thetaAlias == null ? 10000.0 : cfg.optDouble(thetaAlias, 10000.0));
            }
            double partial = params.map(p -> p.optDouble("partial_rotary_factor", Double.NaN)).orElse(Double.NaN);
            if (Double.isNaN(partial)) {
                partial = cfg.optDouble("partial_rotary_factor", cfg.optDouble("rotary_pct", defaultPartial));
            }
            if (partial <= 0 || partial > 1) {
                throw cfg.unsupported("partial_rotary_factor", partial, "a fraction in (0, 1]");
            }
            int rot = (int) (headDim * partial);
            String type = "default";
            double factor = 1, low = 1, high = 4;
            int orig = maxPositions;
            if (scaling.isPresent()) {
                HfConfig s = scaling.get();
                type = s.optString("rope_type", s.optString("type", "default"));
                switch (type) {
                    case "default":
                        break;
                    case "linear":
                        factor = s.requireDouble("factor");
                        break;
                    case "llama3":
                        factor = s.requireDouble("factor");
                        low = s.requireDouble("low_freq_factor");
                        high = s.requireDouble("high_freq_factor");
                        orig = s.requireInt("original_max_position_embeddings");
                        break;
                    default:
                        throw s.unsupported(s.has("rope_type") ? "rope_type" : "type", type,
                                "one of default, linear, llama3");
                }
            }
            return new Spec(theta, rot, type, factor, low, high, orig);
        }
    }

    private final Spec spec;
    private final int maxPositions;
    private final NDManager manager;
    private final float[] invFreq;
    private NDArray cos;
    private NDArray sin;

    Rotary(Spec spec, int maxPositions, NDManager manager) {
        this.spec = spec;
        this.maxPositions = maxPositions;
        this.manager = manager;
        this.invFreq = inverseFrequencies(spec);
    }

    /** 1 / theta^(2i/dim) in float32 as torch computes it, then the scaling of {@code spec.type}. */
    private static float[] inverseFrequencies(Spec s) {
        int dim = s.rotaryDims();
        float[] f = new float[dim / 2];
        for (int i = 0; i < f.length; i++) {
            float exponent = (float) (2 * i) / dim;
            f[i] = (float) (1.0 / (float) Math.pow(s.theta(), exponent));
            if (s.type().equals("linear")) {
                f[i] = (float) (f[i] / s.factor());
            } else if (s.type().equals("llama3")) {
                f[i] = llama3(f[i], s);
            }
        }
        return f;
    }

    /** Llama 3.1 frequency scaling: long wavelengths divided by factor, a smooth ramp in between. */
    private static float llama3(float inv, Spec s) {
        double wavelen = 2 * Math.PI / inv;
        double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
        if (wavelen < highWavelen) {
            return inv;
        }
        if (wavelen > lowWavelen) {
            return (float) (inv / s.factor());
        }
        double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                / (s.highFreqFactor() - s.lowFreqFactor());
        return (float) ((1 - smooth) * inv / s.factor() + smooth * inv);
    }

    /** Grows the cached tables to cover {@code n} positions (doubling, capped at maxPositions). */
    private synchronized void ensure(int n) {
        if (cos != null && cos.getShape().get(0) >= n) {
            return;
        }
        int len = Math.max(n, Math.min(maxPositions, cos == null ? 64 : (int) cos.getShape().get(0) * 2));
        if (cos != null) {
            cos.close();
            sin.close();
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray pos = tmp.arange(0f, (float) len).reshape(len, 1);
            NDArray freqs = pos.mul(tmp.create(invFreq).reshape(1, invFreq.length)); // [len, dim/2]
            NDArray emb = NDArrays.concat(new NDList(freqs, freqs), 1);
            cos = emb.cos();
            sin = emb.sin();
            cos.attach(manager);
            sin.attach(manager);
        }
    }

    /**
     * Rotates the leading {@code rotaryDims} of each head of q [B, H, T, hd] at positions
     * start..start+T-1; the rest of the head passes through.
     */
    NDArray apply(NDArray x, int start) {
        int t = (int) x.getShape().get(2);
        int hd = (int) x.getShape().get(3);
        int rot = spec.rotaryDims();
        ensure(start + t);
        NDManager local = x.getManager();
        NDArray c = cos.get(new NDIndex("{}:{}", start, start + t));
        NDArray s = sin.get(new NDIndex("{}:{}", start, start + t));
        c.attach(local);
        s.attach(local);
        c = c.toType(x.getDataType(), false);
        s = s.toType(x.getDataType(), false);
        NDArray xr = rot == hd ? x : x.get(new NDIndex("..., :{}", rot));
        NDArray x1 = xr.get(new NDIndex("..., :{}", rot / 2));
        NDArray x2 = xr.get(new NDIndex("..., {}:", rot / 2));
        NDArray rotated = xr.mul(c).add(NDArrays.concat(new NDList(x2.neg(), x1), -1).mul(s));
        return rot == hd ? rotated : NDArrays.concat(new NDList(rotated, x.get(new NDIndex("..., {}:", rot))), -1);
    }
}
