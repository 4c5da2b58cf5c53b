#!/usr/bin/env python3
"""Generate cramlab's fused-attention TorchScript archive (src/main/resources/cramlab/attention/fused_attention.pt).

DJL 0.36's PyTorch JNI exposes no scaled_dot_product_attention; a scripted module that calls it loads
in DJL's libtorch (2.7.1), runs inside a GradientCollector and back-propagates into DJL arrays. This
script writes that module. Run it in the Debian sid tree (torch 2.14, see src/test/python/README.md for
mounting), then put the printed SHA-256 into org.cramlab.model.FusedAttention.ARCHIVE_SHA256:

    chroot "$CRAMLAB_HF_REF" python3 /mnt/repo/src/main/python/make_fused_attention.py /mnt/repo/src/main/resources/cramlab/attention/fused_attention.pt

Conventions (shared with the Java caller, org.cramlab.model.FusedAttention):
- q [B, H, T, hd] is already multiplied by the softmax scale (cramlab's explicit path does the same), so
  every method passes scale=1.0: the math is softmax(q k^T + mask) v, as in the explicit path.
- k, v [B, KV, S, hd] with H = g * KV (grouped-query attention: query head j reads kv head j // g, as
  transformers' repeat_kv).
- mask: boolean [B or 1, 1, T, S], True where a query may attend (causal and padding already combined;
  sdpa refuses is_causal together with attn_mask).
- forward: is_causal=True, which sdpa aligns top-left, so only for T == S (no cache).
- masked: the boolean mask; full: no mask at all (one new token after a cache sees every cached position).
- Every method returns [B, T, H * hd] in the inputs' dtype (nothing is cast to float32, so float16 and
  bfloat16 stay in their dtype on a GPU).
"""
import hashlib
import sys

from typing import Optional

import torch
import torch.nn.functional as F


def heads_last(o: torch.Tensor) -> torch.Tensor:
    b, h, t, hd = o.shape
    return o.transpose(1, 2).reshape(b, t, h * hd)


def sdpa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: Optional[torch.Tensor], causal: bool,
         native_gqa: bool) -> torch.Tensor:
    """sdpa with scale 1 (q is pre-scaled), [B, T, H * hd] out. Grouped-query heads: sdpa's enable_gqa
    where its kernels take it (CUDA); on a CPU libtorch 2.7 sends enable_gqa to the slow math kernel
    (measured: 2-4x slower than flash at T >= 1024), so k and v are repeated per query head instead
    (repeat_interleave: query head j reads kv head j // g, as transformers' repeat_kv)."""
    g = q.size(1) // k.size(1)
    if g > 1 and not native_gqa:
        k = k.repeat_interleave(g, 1)
        v = v.repeat_interleave(g, 1)
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal, scale=1.0,
                                       enable_gqa=g > 1 and native_gqa)
    return heads_last(o)


class FusedAttention(torch.nn.Module):

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Causal, T == S (no cache)."""
        return sdpa(q, k, v, None, True, q.is_cuda)

    @torch.jit.export
    def masked(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Boolean mask [B or 1, 1, T, S], True = attend."""
        return sdpa(q, k, v, mask, False, q.is_cuda)

    @torch.jit.export
    def full(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """No mask (one new token after a cache)."""
        return sdpa(q, k, v, None, False, q.is_cuda)


def self_check(m):
    """Every method against the explicit softmax(q k^T + mask) v, values and gradient."""
    g = torch.Generator().manual_seed(0)
    b, h, kv, t, hd = 2, 4, 2, 7, 8
    q = torch.randn(b, h, t, hd, generator=g)
    k = torch.randn(b, kv, t, hd, generator=g)
    v = torch.randn(b, kv, t, hd, generator=g)
    causal = torch.ones(t, t, dtype=torch.bool).tril()
    pad = torch.ones(b, t, dtype=torch.bool)
    pad[1, -2:] = False
    mask = causal[None, None] & pad[:, None, None, :]

    def explicit(q, k, v, allowed):
        rep = q.shape[1] // k.shape[1]
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
        s = q @ k.transpose(-1, -2)
        if allowed is not None:
            s = s.masked_fill(~allowed, float("-inf"))
        return heads_last(s.softmax(-1) @ v)

    cases = [("forward", (q,), causal), ("masked", (q, mask), mask), ("full", (q,), None),
             ("forward", (q[:, :kv],), causal), ("masked", (q[:, :kv], mask), mask), ("full", (q[:, :kv],), None),
             # after a cache: 3 new queries (bottom-right causal mask), then one new token (no mask)
             ("masked", (q[:, :, -3:], causal[-3:][None, None]), causal[-3:][None, None]),
             ("full", (q[:, :, -1:],), None)]
    native = torch.jit.script(sdpa)  # the enable_gqa branch that CUDA takes, checked here on the CPU
    for allowed, causal_flag in ((causal, True), (mask, False), (None, False)):
        qq = q.clone().requires_grad_(True)
        got = native(qq, k, v, None if causal_flag else allowed, causal_flag, True)
        err = (got - explicit(q, k, v, allowed)).abs().max().item()
        if err > 1e-5:
            raise SystemExit(f"enable_gqa branch differs from explicit attention (max abs {err:.3g})")
    for name, args, allowed in cases:
        ins = [args[0].clone().requires_grad_(True), k.clone().requires_grad_(True), v.clone().requires_grad_(True)]
        got = getattr(m, name)(*ins, *args[1:])
        got.square().sum().backward()
        ref = [x.detach().clone().requires_grad_(True) for x in ins]
        want = explicit(*ref, allowed)
        want.square().sum().backward()
        err = (got - want).abs().max().item()
        gerr = max((a.grad - b.grad).abs().max().item() for a, b in zip(ins, ref))
        if err > 1e-5 or gerr > 1e-4:
            raise SystemExit(f"{name}: differs from explicit attention (max abs {err:.3g}, grad {gerr:.3g})")
        print(f"  {name} (H {args[0].shape[1]}, KV {kv}, T {args[0].shape[2]}, S {t}): max abs diff {err:.2e}, grad (q, k, v) {gerr:.2e}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fused_attention.pt"
    m = torch.jit.script(FusedAttention())
    self_check(m)
    m.save(out)
    self_check(torch.jit.load(out))
    with open(out, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f"torch {torch.__version__}: wrote {out}\nSHA-256 {digest}")


if __name__ == "__main__":
    main()
