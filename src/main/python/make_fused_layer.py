#!/usr/bin/env python3
"""Generate cramlab's fused-layer TorchScript archive (src/main/resources/cramlab/layer/fused_layer.pt).

A whole Llama decoder layer as one scripted call instead of ~25 small libtorch calls through DJL's JNI:
input RMSNorm, q/k/v projections (optional biases), rotary on q and k, causal sdpa (is_causal, T == S, no
cache), o projection, residual, post-attention RMSNorm, SwiGLU MLP with torch's fused silu, residual. Run it
in the Debian sid tree (torch 2.14), then put the printed SHA-256 into org.cramlab.model.FusedLayer.ARCHIVE_SHA256:

    chroot "$CRAMLAB_HF_REF" python3 /mnt/repo/src/main/python/make_fused_layer.py /mnt/repo/src/main/resources/cramlab/layer/fused_layer.pt

The archive's bytes depend on this script's text, make_fused_blocks.py's (RMSNorm and SwiGLU come from
there) and both paths (TorchScript keeps the source as debug information): the committed archive is what
exactly this command writes.

Conventions (shared with the Java caller, org.cramlab.model.FusedLayer): weights are Hugging Face Linear
weights [out, in]; eps and scale are 0-d float32 tensors and heads a 1-d int64 tensor [H, KV] (DJL passes
arrays only); cos and sin_signed [T, rot] are cramlab's rotary tables (rotate_half's minus sign folded into
the first half of sin), rot <= head_dim leading dims rotate; q is multiplied by scale and sdpa gets scale
1, as cramlab's explicit attention; grouped-query heads are repeated per query head on a CPU (libtorch 2.7
sends sdpa's enable_gqa to its slow math kernel there) and passed natively on CUDA. Nothing leaves its
dtype except RMSNorm's normalisation (float32, cast back, as transformers).
- forward(h, in_norm, wq, wk, wv, wo, post_norm, gate, up, down, cos, sin_signed, eps, scale, heads)
- biased(same, with bq, bk, bv, bo after wq, wk, wv, wo): attention_bias checkpoints.
"""
import hashlib
import sys
from typing import Optional

import torch
import torch.nn.functional as F

from make_fused_blocks import rms_norm, swiglu


def rotate(x: torch.Tensor, cos: torch.Tensor, sin_signed: torch.Tensor) -> torch.Tensor:
    """x * cos + rotate_half(x) * sin on the leading cos.size(-1) dims of each head of x [B, H, T, hd]."""
    rot = cos.size(-1)
    xr = x[..., :rot]
    x1, x2 = xr.chunk(2, -1)
    rotated = xr * cos + torch.cat([x2, x1], -1) * sin_signed
    return rotated if rot == x.size(-1) else torch.cat([rotated, x[..., rot:]], -1)


def heads(x: torch.Tensor, n: int) -> torch.Tensor:
    b, t, _ = x.shape
    return x.view(b, t, n, -1).transpose(1, 2)


def layer(h: torch.Tensor, in_norm: torch.Tensor, wq: torch.Tensor, bq: Optional[torch.Tensor], wk: torch.Tensor,
          bk: Optional[torch.Tensor], wv: torch.Tensor, bv: Optional[torch.Tensor], wo: torch.Tensor,
          bo: Optional[torch.Tensor], post_norm: torch.Tensor, gate: torch.Tensor, up: torch.Tensor, down: torch.Tensor,
          cos: torch.Tensor, sin_signed: torch.Tensor, eps: torch.Tensor, scale: torch.Tensor,
          head_counts: torch.Tensor) -> torch.Tensor:
    n_heads = int(head_counts[0])
    n_kv = int(head_counts[1])
    x = rms_norm(h, in_norm, eps)
    q = rotate(heads(F.linear(x, wq, bq), n_heads), cos, sin_signed) * scale
    k = rotate(heads(F.linear(x, wk, bk), n_kv), cos, sin_signed)
    v = heads(F.linear(x, wv, bv), n_kv)
    g = n_heads // n_kv
    native_gqa = q.is_cuda
    if g > 1 and not native_gqa:
        k = k.repeat_interleave(g, 1)
        v = v.repeat_interleave(g, 1)
    o = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=1.0, enable_gqa=g > 1 and native_gqa)
    b, _, t, _ = o.shape
    h = h + F.linear(o.transpose(1, 2).reshape(b, t, -1), wo, bo)
    return h + swiglu(rms_norm(h, post_norm, eps), gate, up, down)


class FusedLayer(torch.nn.Module):

    def forward(self, h: torch.Tensor, in_norm: torch.Tensor, wq: torch.Tensor, wk: torch.Tensor, wv: torch.Tensor,
                wo: torch.Tensor, post_norm: torch.Tensor, gate: torch.Tensor, up: torch.Tensor, down: torch.Tensor,
                cos: torch.Tensor, sin_signed: torch.Tensor, eps: torch.Tensor, scale: torch.Tensor,
                head_counts: torch.Tensor) -> torch.Tensor:
        """A Llama decoder layer without biases, causal over T == S positions."""
        return layer(h, in_norm, wq, None, wk, None, wv, None, wo, None, post_norm, gate, up, down, cos, sin_signed,
                     eps, scale, head_counts)

    @torch.jit.export
    def biased(self, h: torch.Tensor, in_norm: torch.Tensor, wq: torch.Tensor, bq: torch.Tensor, wk: torch.Tensor,
               bk: torch.Tensor, wv: torch.Tensor, bv: torch.Tensor, wo: torch.Tensor, bo: torch.Tensor,
               post_norm: torch.Tensor, gate: torch.Tensor, up: torch.Tensor, down: torch.Tensor, cos: torch.Tensor,
               sin_signed: torch.Tensor, eps: torch.Tensor, scale: torch.Tensor,
               head_counts: torch.Tensor) -> torch.Tensor:
        """The same with q/k/v/o biases (attention_bias)."""
        return layer(h, in_norm, wq, bq, wk, bk, wv, bv, wo, bo, post_norm, gate, up, down, cos, sin_signed, eps,
                     scale, head_counts)


def eager_reference(h, w, n_heads, n_kv, rot, theta=10000.0, eps=1e-5):
    """transformers' LlamaDecoderLayer in eager torch: explicit softmax attention, repeat_kv, rotate_half."""
    b, t, d = h.shape
    hd = w["wq"].shape[0] // n_heads

    def norm(x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def rope(x):
        inv = 1.0 / theta ** (torch.arange(0, rot, 2, dtype=torch.float32) / rot)
        f = torch.arange(t, dtype=torch.float32)[:, None] * inv[None]
        emb = torch.cat([f, f], -1)
        xr, rest = x[..., :rot], x[..., rot:]
        x1, x2 = xr[..., : rot // 2], xr[..., rot // 2:]
        return torch.cat([xr * emb.cos() + torch.cat([-x2, x1], -1) * emb.sin(), rest], -1)

    x = norm(h, w["in_norm"])
    q = rope(F.linear(x, w["wq"], w.get("bq")).view(b, t, n_heads, hd).transpose(1, 2))
    k = rope(F.linear(x, w["wk"], w.get("bk")).view(b, t, n_kv, hd).transpose(1, 2))
    v = F.linear(x, w["wv"], w.get("bv")).view(b, t, n_kv, hd).transpose(1, 2)
    k, v = k.repeat_interleave(n_heads // n_kv, 1), v.repeat_interleave(n_heads // n_kv, 1)
    s = (q @ k.transpose(-1, -2)) / hd ** 0.5
    s = s.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float("-inf"))
    a = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, n_heads * hd)
    h = h + F.linear(a, w["wo"], w.get("bo"))
    return h + F.linear(F.silu(F.linear(norm(h, w["post_norm"]), w["gate"])) * F.linear(norm(h, w["post_norm"]), w["up"]),
                        w["down"])


def tables(t, rot, theta=10000.0):
    """cramlab's Rotary tables: cos and the sign-folded sin [T, rot]."""
    inv = 1.0 / theta ** (torch.arange(0, rot, 2, dtype=torch.float32) / rot)
    f = torch.arange(t, dtype=torch.float32)[:, None] * inv[None]
    return torch.cat([f, f], -1).cos(), torch.cat([-f.sin(), f.sin()], -1)


def self_check(m):
    """Both methods against the eager reference, values and the gradient into h: grouped-query and plain heads,
    full and partial rotation; a bfloat16 call stays bfloat16."""
    g = torch.Generator().manual_seed(0)
    b, t, d, ff = 2, 7, 32, 40
    for n_heads, n_kv, rot, biased in ((4, 2, 8, False), (4, 4, 8, True), (4, 1, 4, True)):
        hd = d // n_heads
        w = {"in_norm": 1 + 0.1 * torch.randn(d, generator=g), "post_norm": 1 + 0.1 * torch.randn(d, generator=g),
             "wq": torch.randn(n_heads * hd, d, generator=g) / d ** 0.5,
             "wk": torch.randn(n_kv * hd, d, generator=g) / d ** 0.5,
             "wv": torch.randn(n_kv * hd, d, generator=g) / d ** 0.5,
             "wo": torch.randn(d, n_heads * hd, generator=g) / d ** 0.5,
             "gate": torch.randn(ff, d, generator=g) / d ** 0.5, "up": torch.randn(ff, d, generator=g) / d ** 0.5,
             "down": torch.randn(d, ff, generator=g) / ff ** 0.5}
        if biased:
            for name in ("q", "k", "v", "o"):
                w["b" + name] = 0.1 * torch.randn(w["w" + name].shape[0], generator=g)
        h = torch.randn(b, t, d, generator=g)
        cos, sin = tables(t, rot)
        consts = (cos, sin, torch.tensor(1e-5), torch.tensor(hd ** -0.5), torch.tensor([n_heads, n_kv]))

        def fused(x, w=w, consts=consts):
            if "bq" in w:
                return m.biased(x, w["in_norm"], w["wq"], w["bq"], w["wk"], w["bk"], w["wv"], w["bv"], w["wo"], w["bo"],
                                w["post_norm"], w["gate"], w["up"], w["down"], *consts)
            return m.forward(x, w["in_norm"], w["wq"], w["wk"], w["wv"], w["wo"], w["post_norm"], w["gate"], w["up"],
                             w["down"], *consts)

        x = h.clone().requires_grad_(True)
        got = fused(x)
        got.square().sum().backward()
        xr = h.clone().requires_grad_(True)
        want = eager_reference(xr, w, n_heads, n_kv, rot)
        want.square().sum().backward()
        err = (got - want).abs().max().item() / want.abs().max().item()
        gerr = (x.grad - xr.grad).abs().max().item() / xr.grad.abs().max().item()
        what = f"H {n_heads}, KV {n_kv}, rot {rot}/{hd}, biases {biased}"
        if err > 1e-5 or gerr > 1e-4:
            raise SystemExit(f"{what}: differs from the eager reference (rel {err:.3g}, grad {gerr:.3g})")
        print(f"  {what}: max rel diff {err:.2e}, grad {gerr:.2e}")
        half = fused(h.to(torch.bfloat16), {k: v.to(torch.bfloat16) for k, v in w.items()},
                     (cos.to(torch.bfloat16), sin.to(torch.bfloat16)) + consts[2:])
        if half.dtype != torch.bfloat16:
            raise SystemExit(f"bfloat16 input came back as {half.dtype}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fused_layer.pt"
    m = torch.jit.script(FusedLayer())
    self_check(m)
    m.save(out)
    self_check(torch.jit.load(out))
    with open(out, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f"torch {torch.__version__}: wrote {out}\nSHA-256 {digest}")


if __name__ == "__main__":
    main()
