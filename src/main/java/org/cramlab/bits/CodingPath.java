package org.cramlab.bits;

import java.util.Arrays;
import java.util.HexFormat;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.BlasThreads;
import org.cramlab.model.CausalLM;
import org.cramlab.model.TorchThreads;

/**
 * How the logits of a container's coding pass were computed, beyond the model files, dtype and device
 * ({@link ModelFingerprint}): the attention kernel actually run and PyTorch's CPU thread count. Both
 * change float rounding, so decoding must run the same way (the decoder's tables must be bit-identical).
 *
 * <p>The attention is recorded as what the pass <em>effectively</em> ran, not the setting: AUTO whose
 * longest call stays below the fused crossover, or whose jar cannot load the fused module, ran the
 * explicit path and is recorded as {@code explicit}; a fused module is named by (the first half of) its SHA-256.
 * The BLAS under libtorch (its MKL, or a preloaded OpenBLAS: {@link BlasThreads}) rounds matmuls its own way, so
 * a container coded under one does not decode under the other; it is recorded and compared up front.
 *
 * @param attention {@code none} (no attention: Mamba), {@code explicit}, {@code fused} or {@code auto}
 * @param crossover for {@code auto}: the shortest key length that took the fused path; else 0
 * @param fusedModule first {@link Container#HASH_BYTES} of the fused module's SHA-256 when it was used, else null
 * @param threads PyTorch intra-op threads on a CPU; 0 when not recorded (a GPU)
 * @param blas on a CPU {@link BlasThreads#shortName()} ({@code mkl} or the OpenBLAS build); "" on a GPU; null when
 *     not recorded (a version-2 container)
 */
public record CodingPath(String attention, int crossover, byte[] fusedModule, int threads, String blas) {

    /** The path {@code model} takes for a pass whose longest call sees {@code maxKeys} positions. */
    public static CodingPath of(CausalLM model, int maxKeys) {
        boolean cpu = model.info().device().startsWith("cpu");
        int threads = cpu ? TorchThreads.inUse() : 0;
        String blas = cpu ? BlasThreads.shortName() : "";
        AttentionPath path = model.attentionPath();
        if (path == null) {
            return new CodingPath("none", 0, null, threads, blas);
        }
        int crossover = AttentionPath.autoCrossover(model.manager().getDevice());
        boolean fusedUsed = switch (path) {
            case EXPLICIT -> false;
            case FUSED -> true; // a jar without the module fails on the first call instead
            case AUTO -> maxKeys >= crossover && AttentionPath.fusedUnavailable() == null;
        };
        if (!fusedUsed) {
            return new CodingPath("explicit", 0, null, threads, blas);
        }
        byte[] module = Arrays.copyOf(HexFormat.of().parseHex(AttentionPath.fusedModuleSha256()), Container.HASH_BYTES);
        return path == AttentionPath.FUSED ? new CodingPath("fused", 0, module, threads, blas)
                : new CodingPath("auto", crossover, module, threads, blas);
    }

    /** The attention setting that reproduces this path, or null when any does (no attention). */
    public AttentionPath attentionToLoad() {
        return attention.equals("none") ? null : AttentionPath.parse(attention);
    }

    /** One phrase, e.g. {@code attention auto (fused from 384 keys, module bfa73a58...), 1 thread}. */
    public String describe() {
        String a = switch (attention) {
            case "auto" -> "auto (fused from " + crossover + " keys, module " + Container.hex(fusedModule) + "...)";
            case "fused" -> "fused (module " + Container.hex(fusedModule) + "...)";
            default -> attention;
        };
        return "attention " + a + (threads == 0 ? "" : ", " + threads + " PyTorch thread" + (threads == 1 ? "" : "s"))
                + (blas == null || blas.isEmpty() ? "" : ", BLAS " + blas);
    }

    /**
     * Why this process, whose BLAS is {@code here}, cannot reproduce the recorded BLAS (naming both and the launcher
     * setting that matches), or null when it can or the BLAS was not recorded (a GPU, a version-2 container).
     */
    String blasMismatch(String here) {
        if (blas == null || blas.isEmpty() || blas.equals(here)) {
            return null;
        }
        String fix = blas.equals(BlasThreads.MKL) ? "CRAMLAB_BLAS=mkl environment/cramlab decompress ..."
                : "environment/cramlab with the same OpenBLAS installed (CRAMLAB_BLAS=openblas)";
        return "it was coded with BLAS " + blas + " under libtorch but this process uses " + here
                + ": matmuls round differently, decode with " + fix;
    }

    /**
     * Why a decoder on path {@code here} cannot reproduce this one (naming the setting and how to match it),
     * or null when it can. Threads are not compared: the decoder sets them (see {@link Codec#decompress}).
     */
    String attentionMismatch(CodingPath here) {
        if (attention.equals(here.attention) && crossover == here.crossover
                && Arrays.equals(fusedModule, here.fusedModule)) {
            return null;
        }
        String fix = attention.equals("none") ? "" : " (load the model with attention " + attention
                + (attention.equals("explicit") ? "" : " and a cramlab whose fused module is " + Container.hex(fusedModule)
                        + "...") + ", e.g. CRAMLAB_ATTENTION=" + attention + ")";
        return "it was coded with " + describe() + " but this model runs " + here.describe() + fix;
    }
}
