package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Optional;
import org.cramlab.checkpoint.HfConfig;

/**
 * Rotary position embedding (RoPE) as transformers computes it, with partial rotation (GPT-NeoX) and
 * the llama3 / linear frequency scalings. Cos/sin tables are computed once in float32 on the model's
 * manager and grown when a longer sequence arrives; a forward call slices them once
 * ({@link #angles}) and every layer reuses the slices.
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
    private NDArray sinSigned;

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
            sinSigned.close();
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray pos = tmp.arange(0f, (float) len).reshape(len, 1);
            NDArray freqs = pos.mul(tmp.create(invFreq).reshape(1, invFreq.length)); // [len, dim/2]
            cos = NDArrays.concat(new NDList(freqs, freqs), 1).cos();
            // rotate_half's minus sign moved into the table: cat(-x2, x1) * sin == cat(x2, x1) * cat(-sin, sin)
            // exactly (negation is exact), one op less per call and in the backward.
            NDArray sin = freqs.sin();
            sinSigned = NDArrays.concat(new NDList(sin.neg(), sin), 1);
            cos.attach(manager);
            sinSigned.attach(manager);
        }
    }

    /**
     * The cos and sign-folded sin rows of positions start..start+t-1 in {@code dtype}, owned by
     * {@code local}. Take them once per forward call and rotate every layer's q and k with them.
     */
    Angles angles(int start, int t, DataType dtype, NDManager local) {
        ensure(start + t);
        NDArray c;
        NDArray s;
        synchronized (this) {
            c = cos.get(new NDIndex("{}:{}", start, start + t));
            s = sinSigned.get(new NDIndex("{}:{}", start, start + t));
        }
        c.attach(local);
        s.attach(local);
        return new Angles(c.toType(dtype, false), s.toType(dtype, false), spec.rotaryDims());
    }

    /**
     * One forward call's rotation: cos and sign-folded sin [T, rotaryDims] for its positions.
     *
     * @param cos cos(position * inv_freq), both halves
     * @param sinSigned sin(position * inv_freq) with the first half negated
     * @param rotaryDims how many leading dims of a head rotate
     */
    record Angles(NDArray cos, NDArray sinSigned, int rotaryDims) {

        /**
         * Rotates the leading {@code rotaryDims} of each head of x [B, H, T, hd]; the rest of the
         * head passes through: {@code x * cos + rotate_half(x) * sin} as transformers.
         */
        NDArray apply(NDArray x) {
            int hd = (int) x.getShape().get(3);
            NDArray xr = rotaryDims == hd ? x : x.get(new NDIndex("..., :{}", rotaryDims));
            NDList halves = xr.split(2, 3); // x1, x2 in one op
            NDArray swapped = NDArrays.concat(new NDList(halves.get(1), halves.get(0)), -1);
            NDArray rotated = xr.mul(cos).add(swapped.mul(sinSigned));
            return rotaryDims == hd ? rotated
                    : NDArrays.concat(new NDList(rotated, x.get(new NDIndex("..., {}:", rotaryDims))), -1);
        }
    }
}
