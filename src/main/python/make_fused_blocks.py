#!/usr/bin/env python3
"""Generate cramlab's fused-blocks TorchScript archive (src/main/resources/cramlab/blocks/fused_blocks.pt).

One scripted call per block instead of a dozen small libtorch calls through DJL's JNI, and torch's fused
silu, which saves one [T, ff] tensor less for the backward than x * sigmoid(x). Run it in the Debian sid
tree (torch 2.14), then put the printed SHA-256 into org.cramlab.model.FusedBlocks.ARCHIVE_SHA256:

    chroot "$CRAMLAB_HF_REF" python3 /mnt/repo/src/main/python/make_fused_blocks.py /mnt/repo/src/main/resources/cramlab/blocks/fused_blocks.pt

The archive's bytes depend on this script's text and on both paths (TorchScript keeps the source as debug
information): the committed archive is what exactly this command writes.

Conventions (shared with the Java caller, org.cramlab.model.FusedBlocks): weights are Hugging Face Linear
weights [out, in]; eps is a 0-d float32 tensor (DJL passes arrays only); nothing leaves its dtype except
RMSNorm's normalisation, which runs in float32 and casts back, as transformers' LlamaRMSNorm.
- forward(h, norm_w, eps, gate, up, down): h + down(silu(gate(n)) * up(n)) with n = rms_norm(h): a Llama
  layer's whole second half (post-attention norm, SwiGLU MLP, residual).
- swiglu(x, gate, up, down): the SwiGLU MLP alone.
- rms_norm(x, weight, eps): LlamaRMSNorm.
"""
import hashlib
import sys

import torch
import torch.nn.functional as F


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    x32 = x.to(torch.float32)
    x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    return weight * x32.to(x.dtype)


def swiglu(x: torch.Tensor, gate: torch.Tensor, up: torch.Tensor, down: torch.Tensor) -> torch.Tensor:
    return F.linear(F.silu(F.linear(x, gate)) * F.linear(x, up), down)


class FusedBlocks(torch.nn.Module):

    def forward(self, h: torch.Tensor, norm_w: torch.Tensor, eps: torch.Tensor, gate: torch.Tensor,
                up: torch.Tensor, down: torch.Tensor) -> torch.Tensor:
        """Post-attention RMSNorm, SwiGLU MLP and the residual."""
        return h + swiglu(rms_norm(h, norm_w, eps), gate, up, down)

    @torch.jit.export
    def swiglu(self, x: torch.Tensor, gate: torch.Tensor, up: torch.Tensor, down: torch.Tensor) -> torch.Tensor:
        return swiglu(x, gate, up, down)

    @torch.jit.export
    def rms_norm(self, x: torch.Tensor, weight: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        return rms_norm(x, weight, eps)


def self_check(m):
    """Every method against transformers' LlamaRMSNorm / LlamaMLP math in eager torch, values and gradient."""
    g = torch.Generator().manual_seed(0)
    b, t, d, ff = 2, 7, 16, 40
    h = torch.randn(b, t, d, generator=g)
    w = torch.randn(d, generator=g)
    gate, up, down = torch.randn(ff, d, generator=g), torch.randn(ff, d, generator=g), torch.randn(d, ff, generator=g)
    eps = torch.tensor(1e-5)

    def norm_ref(x):
        v = x.pow(2).mean(-1, keepdim=True)
        return w * (x * torch.rsqrt(v + 1e-5))

    def mlp_ref(x):
        return F.linear(F.silu(F.linear(x, gate)) * F.linear(x, up), down)

    cases = [("forward", (w, eps, gate, up, down), lambda x: x + mlp_ref(norm_ref(x))),
             ("swiglu", (gate, up, down), mlp_ref), ("rms_norm", (w, eps), norm_ref)]
    for name, args, ref in cases:
        x = h.clone().requires_grad_(True)
        got = getattr(m, name)(x, *args)
        got.square().sum().backward()
        xr = h.clone().requires_grad_(True)
        want = ref(xr)
        want.square().sum().backward()
        err = (got - want).abs().max().item() / want.abs().max().item()
        gerr = (x.grad - xr.grad).abs().max().item() / xr.grad.abs().max().item()
        if err > 1e-6 or gerr > 1e-5:
            raise SystemExit(f"{name}: differs from the eager reference (rel {err:.3g}, grad {gerr:.3g})")
        print(f"  {name}: max rel diff {err:.2e}, grad {gerr:.2e}")
    half = m.forward(h.to(torch.bfloat16), w.to(torch.bfloat16), eps, gate.to(torch.bfloat16),
                     up.to(torch.bfloat16), down.to(torch.bfloat16))
    if half.dtype != torch.bfloat16:
        raise SystemExit(f"bfloat16 input came back as {half.dtype}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fused_blocks.pt"
    m = torch.jit.script(FusedBlocks())
    self_check(m)
    m.save(out)
    self_check(torch.jit.load(out))
    with open(out, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f"torch {torch.__version__}: wrote {out}\nSHA-256 {digest}")


if __name__ == "__main__":
    main()
