#!/usr/bin/env python3
"""Generate cramlab's fused-layer TorchScript archive (src/main/resources/cramlab/layer/fused_layer.pt).

A whole Llama (or GPT-NeoX) decoder layer as one scripted call instead of ~25 small libtorch calls through DJL's JNI:
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
- neox_parallel / neox_sequential(h, ln1_w, ln1_b, qkv_w, qkv_b, dense_w, dense_b, ln2_w, ln2_b, up_w, up_b,
  down_w, down_b, cos, sin_signed, eps, scale, heads): a GPT-NeoX (Pythia) layer: LayerNorm, q/k/v fused per
  head ([H, 3 * hd] rows), partial rotary, exact GELU MLP, parallel or sequential residual.
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
    x = rms_norm(h, in_norm, eps)
    q = rotate(heads(F.linear(x, wq, bq), int(head_counts[0])), cos, sin_signed) * scale
    k = rotate(heads(F.linear(x, wk, bk), int(head_counts[1])), cos, sin_signed)
    v = heads(F.linear(x, wv, bv), int(head_counts[1]))
    h = h + F.linear(attend(q, k, v), wo, bo)
    return h + swiglu(rms_norm(h, post_norm, eps), gate, up, down)


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Causal sdpa (q pre-scaled, scale 1), [B, T, H * hd] out; grouped-query heads repeated on a CPU."""
    g = q.size(1) // k.size(1)
    native_gqa = q.is_cuda
    if g > 1 and not native_gqa:
        k = k.repeat_interleave(g, 1)
        v = v.repeat_interleave(g, 1)
    o = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=1.0, enable_gqa=g > 1 and native_gqa)
    b, _, t, _ = o.shape
    return o.transpose(1, 2).reshape(b, t, -1)


def neox_layer(h: torch.Tensor, ln1_w: torch.Tensor, ln1_b: torch.Tensor, qkv_w: torch.Tensor, qkv_b: torch.Tensor,
               dense_w: torch.Tensor, dense_b: torch.Tensor, ln2_w: torch.Tensor, ln2_b: torch.Tensor,
               up_w: torch.Tensor, up_b: torch.Tensor, down_w: torch.Tensor, down_b: torch.Tensor, cos: torch.Tensor,
               sin_signed: torch.Tensor, eps: torch.Tensor, scale: torch.Tensor, head_counts: torch.Tensor,
               parallel: bool) -> torch.Tensor:
    """GPTNeoXLayer: LayerNorm, per-head fused q/k/v, partial rotary, causal sdpa, exact GELU MLP, parallel or
    sequential residual."""
    e = float(eps)
    d = h.size(-1)
    qkv = heads(F.linear(F.layer_norm(h, [d], ln1_w, ln1_b, e), qkv_w, qkv_b), int(head_counts[0]))
    q, k, v = qkv.chunk(3, -1)
    a = F.linear(attend(rotate(q, cos, sin_signed) * scale, rotate(k, cos, sin_signed), v), dense_w, dense_b)
    if parallel:
        mlp_in = F.layer_norm(h, [d], ln2_w, ln2_b, e)
        return h + a + F.linear(F.gelu(F.linear(mlp_in, up_w, up_b)), down_w, down_b)
    h = h + a
    return h + F.linear(F.gelu(F.linear(F.layer_norm(h, [d], ln2_w, ln2_b, e), up_w, up_b)), down_w, down_b)


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

    @torch.jit.export
    def neox_parallel(self, h: torch.Tensor, ln1_w: torch.Tensor, ln1_b: torch.Tensor, qkv_w: torch.Tensor,
                      qkv_b: torch.Tensor, dense_w: torch.Tensor, dense_b: torch.Tensor, ln2_w: torch.Tensor,
                      ln2_b: torch.Tensor, up_w: torch.Tensor, up_b: torch.Tensor, down_w: torch.Tensor,
                      down_b: torch.Tensor, cos: torch.Tensor, sin_signed: torch.Tensor, eps: torch.Tensor,
                      scale: torch.Tensor, head_counts: torch.Tensor) -> torch.Tensor:
        """A GPT-NeoX layer with use_parallel_residual (Pythia)."""
        return neox_layer(h, ln1_w, ln1_b, qkv_w, qkv_b, dense_w, dense_b, ln2_w, ln2_b, up_w, up_b, down_w, down_b, cos,
                          sin_signed, eps, scale, head_counts, True)

    @torch.jit.export
    def neox_sequential(self, h: torch.Tensor, ln1_w: torch.Tensor, ln1_b: torch.Tensor, qkv_w: torch.Tensor,
                        qkv_b: torch.Tensor, dense_w: torch.Tensor, dense_b: torch.Tensor, ln2_w: torch.Tensor,
                        ln2_b: torch.Tensor, up_w: torch.Tensor, up_b: torch.Tensor, down_w: torch.Tensor,
                        down_b: torch.Tensor, cos: torch.Tensor, sin_signed: torch.Tensor, eps: torch.Tensor,
                        scale: torch.Tensor, head_counts: torch.Tensor) -> torch.Tensor:
        """A GPT-NeoX layer without use_parallel_residual."""
        return neox_layer(h, ln1_w, ln1_b, qkv_w, qkv_b, dense_w, dense_b, ln2_w, ln2_b, up_w, up_b, down_w, down_b, cos,
                          sin_signed, eps, scale, head_counts, False)


def eager_rope(x, rot, theta=10000.0):
    """transformers' rotary on the leading rot dims of x [B, H, T, hd] (rotate_half, cos/sin from positions)."""
    t = x.shape[2]
    inv = 1.0 / theta ** (torch.arange(0, rot, 2, dtype=torch.float32) / rot)
    f = torch.arange(t, dtype=torch.float32)[:, None] * inv[None]
    emb = torch.cat([f, f], -1)
    xr, rest = x[..., :rot], x[..., rot:]
    x1, x2 = xr[..., : rot // 2], xr[..., rot // 2:]
    return torch.cat([xr * emb.cos() + torch.cat([-x2, x1], -1) * emb.sin(), rest], -1)


def eager_attention(q, k, v):
    """Explicit causal softmax(q k^T / sqrt(hd)) v with repeat_kv, [B, T, H * hd] out."""
    b, n_heads, t, hd = q.shape
    k, v = k.repeat_interleave(n_heads // k.shape[1], 1), v.repeat_interleave(n_heads // k.shape[1], 1)
    s = (q @ k.transpose(-1, -2)) / hd ** 0.5
    s = s.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float("-inf"))
    return (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, n_heads * hd)


def eager_reference(h, w, n_heads, n_kv, rot, eps=1e-5):
    """transformers' LlamaDecoderLayer in eager torch."""
    b, t, d = h.shape
    hd = w["wq"].shape[0] // n_heads

    def norm(x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    x = norm(h, w["in_norm"])
    q = eager_rope(F.linear(x, w["wq"], w.get("bq")).view(b, t, n_heads, hd).transpose(1, 2), rot)
    k = eager_rope(F.linear(x, w["wk"], w.get("bk")).view(b, t, n_kv, hd).transpose(1, 2), rot)
    v = F.linear(x, w["wv"], w.get("bv")).view(b, t, n_kv, hd).transpose(1, 2)
    h = h + F.linear(eager_attention(q, k, v), w["wo"], w.get("bo"))
    n = norm(h, w["post_norm"])
    return h + F.linear(F.silu(F.linear(n, w["gate"])) * F.linear(n, w["up"]), w["down"])


def neox_reference(h, w, n_heads, rot, parallel, eps=1e-5):
    """transformers' GPTNeoXLayer in eager torch."""
    b, t, d = h.shape
    hd = d // n_heads
    qkv = F.linear(F.layer_norm(h, (d,), w["ln1_w"], w["ln1_b"], eps), w["qkv_w"], w["qkv_b"])
    qkv = qkv.view(b, t, n_heads, 3 * hd).transpose(1, 2)
    q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
    a = F.linear(eager_attention(eager_rope(q, rot), eager_rope(k, rot), v), w["dense_w"], w["dense_b"])

    def mlp(x):
        return F.linear(F.gelu(F.linear(F.layer_norm(x, (d,), w["ln2_w"], w["ln2_b"], eps), w["up_w"], w["up_b"])),
                        w["down_w"], w["down_b"])

    if parallel:
        return h + a + mlp(h)
    h = h + a
    return h + mlp(h)


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
    n_heads, rot, hd = 4, 4, d // 4
    for parallel in (True, False):
        w = {"ln1_w": 1 + 0.1 * torch.randn(d, generator=g), "ln1_b": 0.1 * torch.randn(d, generator=g),
             "qkv_w": torch.randn(3 * d, d, generator=g) / d ** 0.5, "qkv_b": 0.1 * torch.randn(3 * d, generator=g),
             "dense_w": torch.randn(d, d, generator=g) / d ** 0.5, "dense_b": 0.1 * torch.randn(d, generator=g),
             "ln2_w": 1 + 0.1 * torch.randn(d, generator=g), "ln2_b": 0.1 * torch.randn(d, generator=g),
             "up_w": torch.randn(ff, d, generator=g) / d ** 0.5, "up_b": 0.1 * torch.randn(ff, generator=g),
             "down_w": torch.randn(d, ff, generator=g) / ff ** 0.5, "down_b": 0.1 * torch.randn(d, generator=g)}
        h = torch.randn(b, t, d, generator=g)
        cos, sin = tables(t, rot)
        method = m.neox_parallel if parallel else m.neox_sequential
        x = h.clone().requires_grad_(True)
        got = method(x, *w.values(), cos, sin, torch.tensor(1e-5), torch.tensor(hd ** -0.5), torch.tensor([n_heads, n_heads]))
        got.square().sum().backward()
        xr = h.clone().requires_grad_(True)
        want = neox_reference(xr, w, n_heads, rot, parallel)
        want.square().sum().backward()
        err = (got - want).abs().max().item() / want.abs().max().item()
        gerr = (x.grad - xr.grad).abs().max().item() / xr.grad.abs().max().item()
        if err > 1e-5 or gerr > 1e-4:
            raise SystemExit(f"GPT-NeoX parallel {parallel}: differs from the eager reference (rel {err:.3g}, grad {gerr:.3g})")
        print(f"  GPT-NeoX, parallel residual {parallel}, rot {rot}/{hd}: max rel diff {err:.2e}, grad {gerr:.2e}")


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
