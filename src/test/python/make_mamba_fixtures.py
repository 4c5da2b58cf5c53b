#!/usr/bin/env python3
"""Golden fixtures for cramlab's Mamba family, made with the real transformers MambaForCausalLM.

Runs inside the Debian sid tree like make_golden_fixtures.py (see README.md next to this file), whose
constants, reference tensors and helpers it reuses. NOT run in CI. Deterministic (seeded generators,
one thread, deterministic algorithms).

transformers' Mamba has two paths: CUDA kernels (mamba_ssm + causal_conv1d, used only on a GPU when
installed) and MambaMixer.slow_forward, pure torch with a sequential loop over time. This script
refuses to run unless the kernels are absent, so every reference comes from slow_forward.

Writes under <out>/ (default: src/test/resources/golden relative to the repo root):
  mamba/          tied, conv bias, time_step_rank "auto", residual_in_fp32, long input, the pythia_style
                  tokenizer (no BOS, as Mamba's GPT-NeoX tokenizer) so `cram --model` runs on it
  mamba_untied/   untied lm_head, in/out_proj bias, no conv bias, conv_kernel 3, expand 3,
                  time_step_rank 5, residual_in_fp32 false
each with config.json, model.safetensors, reference.safetensors, meta.json.

Usage: python3 make_mamba_fixtures.py [--out DIR] [--only mamba,mamba_untied] [--verify]
"""
import argparse
import importlib.util
import json
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import AutoModelForCausalLM, MambaConfig, MambaForCausalLM  # noqa: E402

import make_golden_fixtures as g  # noqa: E402  (same folder)

VOCAB = 304        # >= the pythia_style tokenizer's 300 ids, padded as Mamba's 50280 > 50277
HIDDEN = 32
STATE = 8
GREEDY_PREFIX = 4  # text tokens after the memory in the greedy reference
GREEDY_STEPS = 8
TOKENIZER = "pythia_style"

CASES = {
    "mamba": dict(
        long=True, tokenizer=True,
        layout="hub -hf layout, time_step_rank 'auto', torch_dtype key",
        config=lambda: MambaConfig(vocab_size=VOCAB, hidden_size=HIDDEN, state_size=STATE, num_hidden_layers=2,
                                   conv_kernel=4, expand=2, time_step_rank="auto", use_bias=False,
                                   use_conv_bias=True, residual_in_fp32=True, tie_word_embeddings=True,
                                   layer_norm_epsilon=1e-5, bos_token_id=0, eos_token_id=0, pad_token_id=0),
        rewrite=lambda c: g.hub_dtype_key(dict(c, time_step_rank="auto"))),
    "mamba_untied": dict(
        layout="transformers-5 layout, every optional tensor present",
        config=lambda: MambaConfig(vocab_size=VOCAB, hidden_size=HIDDEN, state_size=STATE, num_hidden_layers=2,
                                   conv_kernel=3, expand=3, time_step_rank=5, use_bias=True,
                                   use_conv_bias=False, residual_in_fp32=False, tie_word_embeddings=False,
                                   layer_norm_epsilon=1e-4, bos_token_id=0, eos_token_id=0, pad_token_id=0)),
}

TENSOR_DOCS = dict(g.TENSOR_DOCS)
TENSOR_DOCS.update({
    "logits": "F32 [1,T,V] model(input_ids).logits, eval, float32, MambaMixer.slow_forward (sequential scan)",
    "batch_logits": "F32 [2,T2,V] model(batch_input_ids, attention_mask=batch_attention_mask).logits; Mamba "
                    "multiplies the mixer input by the mask, so padded positions are meaningful only as "
                    "transformers defines them; compare where the mask is 1",
    "long_input_ids": "I64 [1,LONG_T] random ids (mamba case only: the scan over many chunks)",
    "greedy_ids": "I64 [1,G] greedy tokens after the prefix cat([memory, embed(input_ids[:, :P])]) decoded "
                  "with transformers' recurrent cache (conv state + SSM state), one token per call",
    "greedy_logits": "F32 [1,G,V] the logits each greedy token was chosen from: the prefix's last position, "
                     "then each one-token cached call",
})


def kernels_absent():
    """The references must come from slow_forward: no fused kernels may be importable."""
    found = [m for m in ("mamba_ssm", "causal_conv1d", "kernels") if importlib.util.find_spec(m)]
    if found:
        raise SystemExit(f"kernel packages {found} are installed: the references would not be the pure-torch path")


def perturb(model, gen):
    """Seeded values for every parameter, chosen so the scan is exercised over its whole range:
    A = -exp(A_log) around the S4D-real -(1..N), with every 4th channel slow (|A| ~ 0.02: state
    carried across many scan chunks) and every 7th fast (|A| up to ~60: exp(delta*A) underflows to 0
    in float32); delta = softplus(dt) mostly in 0.05..1.5; matrices with std INIT_STD as the other cases."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if name.endswith("A_log"):
                n = p.shape[1]
                v = torch.log(torch.arange(1, n + 1, dtype=torch.float32)).expand(p.shape[0], -1) + 0.3 * noise
                v[::4] -= 4.0
                v[3::7] += 2.0
                p.copy_(v)
            elif name.endswith("dt_proj.bias"):
                p.copy_(-1.0 + noise)
            elif name.endswith("conv1d.weight"):
                p.copy_(0.5 * noise)
            elif name.endswith("bias"):
                p.copy_(0.1 * noise)
            elif p.dim() == 1:  # RMSNorm weights and D
                p.copy_(1.0 + 0.25 * noise)
            else:
                p.copy_(g.INIT_STD * noise)


def build(spec, seed):
    torch.manual_seed(seed)
    model = MambaForCausalLM._from_config(spec["config"](), dtype=torch.float32)
    perturb(model, torch.Generator().manual_seed(seed + 1))
    return model.eval()


def greedy_reference(model, memory, ids):
    """Greedy decoding through transformers' cache: the prefix once, then one token per call."""
    emb = model.get_input_embeddings()
    with torch.no_grad():
        prefix = torch.cat([memory.detach().unsqueeze(0), emb(ids[:, :GREEDY_PREFIX])], dim=1)
        out = model(inputs_embeds=prefix, use_cache=True)
        tokens, logits = [], [out.logits[:, -1]]
        for i in range(GREEDY_STEPS):
            nxt = logits[-1].argmax(-1, keepdim=True)
            tokens.append(nxt)
            if i + 1 < GREEDY_STEPS:
                out = model(input_ids=nxt, cache_params=out.cache_params, use_cache=True)
                logits.append(out.logits[:, -1])
        tokens, logits = torch.cat(tokens, dim=1), torch.stack(logits, dim=1)
        # the cache path must agree with full forwards of the growing sequence (an independent check)
        seq = torch.cat([prefix, emb(tokens[:, :-1])], dim=1)
        full = model(inputs_embeds=seq).logits[:, prefix.shape[1] - 1:]
        diff = (full - logits).abs().max().item()
        if diff > 1e-5:
            raise SystemExit(f"transformers' cached decoding differs from full forwards by {diff:.3g}")
    return {"greedy_ids": tokens, "greedy_logits": logits}, diff


def padding_check(model, ref):
    """Right padding leaves the real positions alone (the conv and the scan are causal): row 1's
    logits where the mask is 1 equal those of row 1 fed alone without padding."""
    real = int(ref["batch_attention_mask"][1].sum())
    with torch.no_grad():
        alone = model(input_ids=ref["batch_input_ids"][1:, :real]).logits
    diff = (alone - ref["batch_logits"][1:, :real]).abs().max().item()
    if diff > 1e-5:
        raise SystemExit(f"right padding changed real positions by {diff:.3g}")
    return diff


def long_memory_effect(model, ref):
    """The state must carry information far: the last logits change when only the last 64 tokens
    are fed (so a scan that dropped the carry between chunks would fail the long comparison)."""
    with torch.no_grad():
        short = model(input_ids=ref["long_input_ids"][:, -64:]).logits[:, -g.LONG_LAST:]
    diff = (short - ref["long_logits_last"]).abs().max().item()
    if diff < 1e-2:
        raise SystemExit(f"long input: tokens more than 64 back do not matter ({diff:.3g})")
    return round(diff, 4)


def check_reload(case_dir, ref):
    model = AutoModelForCausalLM.from_pretrained(case_dir, dtype=torch.float32).eval()
    for p in model.parameters():  # frozen before any forward, as in references(): torch picks
        p.requires_grad_(False)   # another linear kernel for weights that require a gradient
    got = {}
    with torch.no_grad():
        got["logits"] = model(input_ids=ref["input_ids"]).logits
        got["batch_logits"] = model(input_ids=ref["batch_input_ids"], attention_mask=ref["batch_attention_mask"]).logits
        if "long_input_ids" in ref:
            got["long_logits_last"] = model(input_ids=ref["long_input_ids"]).logits[:, -g.LONG_LAST:]
    got.update(g.memory_forward(model, ref["memory"], ref["input_ids"]))
    got.update(greedy_reference(model, ref["memory"], ref["input_ids"])[0])
    for k, v in got.items():
        if not torch.equal(v, ref[k]):
            raise SystemExit(f"{case_dir}: reloaded model differs on {k}: max abs {(v - ref[k]).abs().max().item():.3g}")


def make_case(out, name, seed):
    spec = CASES[name]
    case_dir = os.path.join(out, name)
    shutil.rmtree(case_dir, ignore_errors=True)
    build(spec, seed).save_pretrained(case_dir, safe_serialization=True)
    if "rewrite" in spec:
        g.rewrite_config(case_dir, spec["rewrite"])
    # References from the model as from_pretrained loads it: the freshly built one gives the same
    # values but not always the same bits (another memory layout of some weight).
    model = AutoModelForCausalLM.from_pretrained(case_dir, dtype=torch.float32).eval()
    ref = g.references(model, seed, spec.get("long", False))
    greedy, greedy_diff = greedy_reference(model, ref["memory"], ref["input_ids"])
    ref.update({k: v.contiguous().clone() for k, v in greedy.items()})
    pad_diff = padding_check(model, ref)
    spread = g.sanity(name, model, ref)
    if spec.get("tokenizer"):
        tok_dir = os.path.join(out, "tokenizers", TOKENIZER)
        for f in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(os.path.join(tok_dir, f), case_dir)
    save_file(ref, os.path.join(case_dir, "reference.safetensors"), metadata={"case": name})
    check_reload(case_dir, ref)

    meta = g.base_meta(seed)
    del meta["attn_implementation"]
    meta.update({"case": name, "model_class": "MambaForCausalLM", "config_layout": spec["layout"],
                 "path": "MambaMixer.slow_forward (sequential scan; mamba_ssm / causal_conv1d absent)",
                 "logits_std": round(spread, 4), "GREEDY_PREFIX": GREEDY_PREFIX, "GREEDY_STEPS": GREEDY_STEPS,
                 "greedy_cache_vs_full_forward_max_abs": greedy_diff,
                 "right_padding_vs_unpadded_row_max_abs": pad_diff,
                 "tensors": {k: TENSOR_DOCS[k] for k in ref},
                 "reload_check": "from_pretrained reproduces every stored tensor bit-exactly"})
    if spec.get("long"):
        meta.update({"LONG_T": g.LONG_T, "LONG_LAST": g.LONG_LAST,
                     "long_logits_change_when_cut_to_last_64_tokens": long_memory_effect(model, ref)})
    if spec.get("tokenizer"):
        meta["tokenizer"] = f"copy of ../tokenizers/{TOKENIZER} (add_bos_token false: Mamba has no BOS)"
    g.write_meta(case_dir, meta)
    print(f"{name}: logits std {spread:.3f}, greedy {ref['greedy_ids'].tolist()}, "
          + ", ".join(f"{k}{list(v.shape)}" for k, v in ref.items()))


def verify(out):
    from safetensors.torch import load_file
    for name in CASES:
        case_dir = os.path.join(out, name)
        check_reload(case_dir, load_file(os.path.join(case_dir, "reference.safetensors")))
        print(f"verified {name}")
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.normpath(os.path.join(here, "..", "resources", "golden")))
    ap.add_argument("--only", default="", help="comma-separated subset of " + ", ".join(CASES))
    ap.add_argument("--verify", action="store_true", help="only reload the committed fixtures and check them")
    args = ap.parse_args()
    kernels_absent()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    if args.verify:
        return verify(args.out)
    only = set(filter(None, args.only.split(",")))
    print(f"transformers {g.transformers.__version__}, torch {torch.__version__}, out {args.out}")
    for i, name in enumerate(CASES):
        if not only or name in only:
            make_case(args.out, name, g.BASE_SEED + 5000 + 100 * i)
    return 0


if __name__ == "__main__":
    sys.exit(main())
