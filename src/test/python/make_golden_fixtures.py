#!/usr/bin/env python3
"""Generate cramlab's golden reference fixtures with the real Hugging Face transformers.

Runs inside a Debian sid tree with python3-transformers/torch/safetensors/tokenizers (see README.md
next to this file); NOT run in CI. Deterministic: every random draw comes from a seeded generator.

Writes under <out>/ (default: src/test/resources/golden relative to the repo root):
  <case>/config.json, model.safetensors (or shards + index), reference.safetensors, meta.json
  (llama_sharded = llama in 3 shards; gpt2_hub_names = gpt2 with Hub-style names lacking `transformer.`)
  tokenizers/{llama_style,pythia_style}/tokenizer.json (+ tokenizer_config.json), expected.json
  adamw_trace/reference.safetensors, meta.json   (the paper's MemoryCell + torch AdamW, 5 steps)
  llama_long/, gpt_neox_long/   (SDPA_T = 1280-token inputs, references with attn_implementation="sdpa")

Usage: python3 make_golden_fixtures.py [--out DIR] [--only case1,case2,...]
"""
import argparse
import json
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForCausalLM,
    GPT2Config,
    GPT2LMHeadModel,
    GPTNeoXConfig,
    GPTNeoXForCausalLM,
    LlamaConfig,
    LlamaForCausalLM,
    OlmoConfig,
    OlmoForCausalLM,
    OPTConfig,
    OPTForCausalLM,
)

VOCAB = 256
HIDDEN = 64
LAYERS = 2
HEADS = 4
INTERMEDIATE = 128
K = 2            # memory vectors in the [memory; embeddings] reference
T = 24           # plain / memory input length
T2 = 20          # batch input length
PAD = 5          # right padding of batch row 1
LONG_T = 200     # long input (llama cases): llama3 RoPE scaling matters only beyond original_max_position_embeddings
LONG_LAST = 32   # positions of the long input whose logits are stored
INIT_STD = 0.2   # 10x the usual 0.02: attention must be far from uniform or RoPE/mask bugs hide
BASE_SEED = 1234

LLAMA3_SCALING = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    # small on purpose: wavelengths between 16 and 64 are smoothed, longer ones divided by 8
    "original_max_position_embeddings": 64,
}
LLAMA_THETA = 500000.0

TENSOR_DOCS = {
    "input_ids": "I64 [1,T] random token ids",
    "logits": "F32 [1,T,V] model(input_ids).logits, eval, float32, eager attention",
    "memory": "F32 [K,d] randn(K,d) * input_embedding_matrix.std() (d = word_embed_proj_dim for OPT)",
    "mem_text_logits": "F32 [1,T,V] model(inputs_embeds=cat([memory, embed(input_ids)],1), attention_mask=ones).logits[:, K:]",
    "mem_loss": "F32 [] CrossEntropy(mem_text_logits[:, :-1], input_ids[:, 1:]), mean over T-1, nats",
    "mem_grad": "F32 [K,d] d mem_loss / d memory (model frozen)",
    "batch_input_ids": "I64 [2,T2]; row 1's padded positions hold token 0",
    "batch_attention_mask": "I64 [2,T2]; row 0 all ones, row 1 right-padded (last PAD positions 0)",
    "batch_logits": "F32 [2,T2,V] model(batch_input_ids, attention_mask=batch_attention_mask).logits with the "
                    "class's default position ids; values at masked (padded) positions are not meaningful, "
                    "compare only where the mask is 1",
    "long_input_ids": "I64 [1,LONG_T] random ids (llama cases only)",
    "long_logits_last": "F32 [1,LONG_LAST,V] logits of the last LONG_LAST positions of model(long_input_ids)",
}


# ---------------------------------------------------------------------------------------------------
# model cases

def llama_config(**kw):
    base = dict(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=INTERMEDIATE, num_hidden_layers=LAYERS,
                num_attention_heads=HEADS, max_position_embeddings=256, rms_norm_eps=1e-5,
                initializer_range=INIT_STD, bos_token_id=1, eos_token_id=2, pad_token_id=None)
    base.update(kw)
    return LlamaConfig(**base)


def neox_config(**kw):
    base = dict(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=INTERMEDIATE, num_hidden_layers=LAYERS,
                num_attention_heads=HEADS, max_position_embeddings=64, initializer_range=INIT_STD,
                bos_token_id=0, eos_token_id=0, pad_token_id=None, hidden_act="gelu", tie_word_embeddings=False)
    base.update(kw)
    return GPTNeoXConfig(**base)


def opt_config(**kw):
    base = dict(vocab_size=VOCAB, hidden_size=HIDDEN, ffn_dim=INTERMEDIATE, num_hidden_layers=LAYERS,
                num_attention_heads=HEADS, max_position_embeddings=64, init_std=INIT_STD,
                bos_token_id=2, eos_token_id=2, pad_token_id=1, activation_function="relu")
    base.update(kw)
    return OPTConfig(**base)


def hub_llama_layout(cfg, scaling):
    """Rewrite transformers-5 `rope_parameters` into the layout real Hub Llama checkpoints use."""
    rp = cfg.pop("rope_parameters")
    cfg["rope_theta"] = rp["rope_theta"]
    cfg["rope_scaling"] = scaling
    return hub_dtype_key(cfg)


def hub_neox_layout(cfg):
    """Rewrite `rope_parameters` into Pythia's `rotary_pct` / `rotary_emb_base` layout."""
    rp = cfg.pop("rope_parameters")
    cfg["rotary_pct"] = rp["partial_rotary_factor"]
    cfg["rotary_emb_base"] = rp["rope_theta"]
    return hub_dtype_key(cfg)


def hub_dtype_key(cfg):
    """Checkpoints written by transformers 4 (most of the Hub) say `torch_dtype`, not `dtype`."""
    if "dtype" in cfg:
        cfg["torch_dtype"] = cfg.pop("dtype")
    return cfg


CASES = {
    "llama": dict(
        cls=LlamaForCausalLM, long=True, layout="hub (rope_theta + rope_scaling)",
        config=lambda: llama_config(num_key_value_heads=2, tie_word_embeddings=False,
                                    rope_parameters=dict(LLAMA3_SCALING, rope_theta=LLAMA_THETA)),
        rewrite=lambda c: hub_llama_layout(c, dict(LLAMA3_SCALING))),
    "llama_tied": dict(
        cls=LlamaForCausalLM, long=True, layout="transformers-5 (rope_parameters)",
        config=lambda: llama_config(num_key_value_heads=HEADS, tie_word_embeddings=True,
                                    rope_parameters={"rope_type": "default", "rope_theta": 10000.0})),
    "gpt_neox_parallel": dict(
        cls=GPTNeoXForCausalLM, layout="hub (rotary_pct + rotary_emb_base)",
        config=lambda: neox_config(use_parallel_residual=True,
                                   rope_parameters={"rope_type": "default", "rope_theta": 10000.0,
                                                    "partial_rotary_factor": 0.25}),
        rewrite=hub_neox_layout),
    "gpt_neox_sequential": dict(
        cls=GPTNeoXForCausalLM, layout="transformers-5 (rope_parameters)",
        config=lambda: neox_config(use_parallel_residual=False,
                                   rope_parameters={"rope_type": "default", "rope_theta": 10000.0,
                                                    "partial_rotary_factor": 0.5})),
    "gpt2": dict(
        cls=GPT2LMHeadModel, layout="gpt2 (no rope)",
        config=lambda: GPT2Config(vocab_size=VOCAB, n_embd=HIDDEN, n_layer=LAYERS, n_head=HEADS,
                                  n_inner=INTERMEDIATE, n_positions=64, initializer_range=INIT_STD,
                                  bos_token_id=0, eos_token_id=0)),
    "opt_350m_style": dict(
        cls=OPTForCausalLM, layout="opt (learned positions, offset 2)",
        config=lambda: opt_config(do_layer_norm_before=False, word_embed_proj_dim=32)),
    "opt_prenorm": dict(
        cls=OPTForCausalLM, layout="opt (learned positions, offset 2)",
        config=lambda: opt_config(do_layer_norm_before=True, word_embed_proj_dim=HIDDEN)),
    "olmo": dict(
        cls=OlmoForCausalLM, layout="hub (rope_theta, rope_scaling null)", clip=True,
        config=lambda: OlmoConfig(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=INTERMEDIATE,
                                  num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                                  max_position_embeddings=64, initializer_range=INIT_STD, clip_qkv=2.0,
                                  bos_token_id=None, eos_token_id=2, pad_token_id=1, tie_word_embeddings=False,
                                  rope_parameters={"rope_type": "default", "rope_theta": 10000.0}),
        rewrite=lambda c: hub_llama_layout(c, None)),
}
# The sharded case is the llama model saved in >= 3 shards (same weights, same reference).
SHARDED = ("llama_sharded", "llama", "150KB")


def perturb(model, gen):
    """Overwrite every parameter with seeded noise so no tensor sits at its init value (norm scales
    around 1, biases around 0, matrices with std INIT_STD): attention is sharp, logits spread."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if name.endswith("bias"):
                p.copy_(0.1 * noise)
            elif p.dim() == 1:
                p.copy_(1.0 + 0.25 * noise)
            else:
                p.copy_(INIT_STD * noise)


def build_model(spec, seed):
    torch.manual_seed(seed)
    cfg = spec["config"]()
    model = spec["cls"]._from_config(cfg, attn_implementation="eager", dtype=torch.float32)
    perturb(model, torch.Generator().manual_seed(seed + 1))
    return model.eval()


def input_embeddings(model):
    return model.get_input_embeddings().weight


def references(model, seed, long):
    """All reference tensors of one case; the model is frozen, only the memory gets a gradient."""
    gen = torch.Generator().manual_seed(seed + 2)
    for p in model.parameters():
        p.requires_grad_(False)
    emb = input_embeddings(model)
    d = emb.shape[1]
    ref = {}
    ids = torch.randint(0, VOCAB, (1, T), generator=gen)
    ref["input_ids"] = ids
    with torch.no_grad():
        ref["logits"] = model(input_ids=ids).logits

    memory = (torch.randn(K, d, generator=gen) * emb.detach().std()).requires_grad_(True)
    ref["memory"] = memory
    ref.update(memory_forward(model, memory, ids))

    bids = torch.randint(0, VOCAB, (2, T2), generator=gen)
    mask = torch.ones(2, T2, dtype=torch.long)
    mask[1, T2 - PAD:] = 0
    bids[1, T2 - PAD:] = 0
    ref["batch_input_ids"] = bids
    ref["batch_attention_mask"] = mask
    with torch.no_grad():
        ref["batch_logits"] = model(input_ids=bids, attention_mask=mask).logits

    if long:
        lids = torch.randint(0, VOCAB, (1, LONG_T), generator=gen)
        ref["long_input_ids"] = lids
        with torch.no_grad():
            ref["long_logits_last"] = model(input_ids=lids).logits[:, -LONG_LAST:]
    return {k: v.detach().contiguous().clone() for k, v in ref.items()}


def memory_forward(model, memory, ids):
    """The paper's MemoryCell forward: [memory; embed(ids)], logits[:, K:], shifted CE mean."""
    memory = memory.detach().clone().requires_grad_(True)
    embeds = torch.cat([memory.unsqueeze(0), model.get_input_embeddings()(ids)], dim=1)
    out = model(inputs_embeds=embeds, attention_mask=torch.ones(embeds.shape[:2], dtype=torch.long))
    logits = out.logits[:, memory.shape[0]:]
    loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
    loss.backward()
    return {"mem_text_logits": logits.detach(), "mem_loss": loss.detach(), "mem_grad": memory.grad.detach()}


def recompute(model, ref):
    """The reference recomputed from stored inputs (for the reload check)."""
    with torch.no_grad():
        got = {"logits": model(input_ids=ref["input_ids"]).logits,
               "batch_logits": model(input_ids=ref["batch_input_ids"],
                                     attention_mask=ref["batch_attention_mask"]).logits}
        if "long_input_ids" in ref:
            got["long_logits_last"] = model(input_ids=ref["long_input_ids"]).logits[:, -LONG_LAST:]
    for p in model.parameters():
        p.requires_grad_(False)
    got.update(memory_forward(model, ref["memory"], ref["input_ids"]))
    return got


def check_reload(case_dir, ref):
    model = AutoModelForCausalLM.from_pretrained(case_dir, attn_implementation="eager", dtype=torch.float32).eval()
    got = recompute(model, ref)
    for k, v in got.items():
        if not torch.equal(v, ref[k]):
            raise SystemExit(f"{case_dir}: reloaded model differs on {k}: max abs "
                             f"{(v - ref[k]).abs().max().item():.3g}")
    return model


def sanity(name, model, ref):
    """Fail loudly if the fixture would be too weak to catch bugs."""
    sd = model.state_dict()
    for k, v in sd.items():
        if v.is_floating_point() and v.numel() > 1 and v.std().item() < 1e-3:
            raise SystemExit(f"{name}: tensor {k} is (near) constant")
    spread = ref["logits"].std().item()
    if spread < 0.5:
        raise SystemExit(f"{name}: logits barely spread (std {spread:.3f})")
    return spread


def rewrite_config(case_dir, fn):
    path = os.path.join(case_dir, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg = fn(cfg)
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


def write_meta(case_dir, meta):
    with open(os.path.join(case_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")


def base_meta(seed):
    return {"transformers": transformers.__version__, "torch": torch.__version__, "seed": seed,
            "dtype": "float32", "attn_implementation": "eager", "init_std": INIT_STD,
            "K": K, "T": T, "T2": T2, "batch_row1_padding": PAD}


def make_case(out, name, seed):
    spec = CASES[name]
    case_dir = os.path.join(out, name)
    shutil.rmtree(case_dir, ignore_errors=True)
    model = build_model(spec, seed)
    ref = references(model, seed, spec.get("long", False))
    spread = sanity(name, model, ref)
    model.save_pretrained(case_dir, safe_serialization=True)
    if "rewrite" in spec:
        rewrite_config(case_dir, spec["rewrite"])
    save_file(ref, os.path.join(case_dir, "reference.safetensors"), metadata={"case": name})
    reloaded = check_reload(case_dir, ref)

    meta = base_meta(seed)
    meta.update({"case": name, "model_class": spec["cls"].__name__, "config_layout": spec["layout"],
                 "logits_std": round(spread, 4),
                 "tensors": {k: TENSOR_DOCS[k] for k in ref},
                 "reload_check": "from_pretrained reproduces every stored tensor bit-exactly"})
    if spec.get("long"):
        meta.update({"LONG_T": LONG_T, "LONG_LAST": LONG_LAST})
        meta["long_rope_effect_max_abs"] = long_rope_effect(name, reloaded, ref)
    if spec.get("clip"):
        meta["clip_qkv_effect_max_abs"] = clip_effect(reloaded, ref)
    write_meta(case_dir, meta)
    print(f"{name}: logits std {spread:.3f}  " + ", ".join(f"{k}{list(v.shape)}" for k, v in ref.items()))
    return model, ref


def long_rope_effect(name, model, ref):
    """How much the long logits move if RoPE scaling is switched off (must be visible for llama3)."""
    cfg = model.config
    rp = cfg.rope_parameters
    if rp.get("rope_type", "default") == "default":
        return None
    plain = {"rope_type": "default", "rope_theta": rp["rope_theta"]}
    other = LlamaForCausalLM._from_config(
        LlamaConfig(**{**cfg.to_dict(), "rope_parameters": plain, "rope_scaling": None}),
        attn_implementation="eager", dtype=torch.float32).eval()
    other.load_state_dict(model.state_dict())
    with torch.no_grad():
        diff = (other(input_ids=ref["long_input_ids"]).logits[:, -LONG_LAST:] - ref["long_logits_last"]).abs().max()
    if diff.item() < 1e-2:
        raise SystemExit(f"{name}: llama3 rope scaling does not change the long logits ({diff.item():.3g})")
    return round(diff.item(), 4)


def clip_effect(model, ref):
    """OLMo clip_qkv must actually clip: compare against the same weights without clipping."""
    saved = model.config.clip_qkv
    model.config.clip_qkv = None
    with torch.no_grad():
        diff = (model(input_ids=ref["input_ids"]).logits - ref["logits"]).abs().max().item()
    model.config.clip_qkv = saved
    if diff < 1e-2:
        raise SystemExit(f"olmo: clip_qkv={saved} does not change the logits ({diff:.3g})")
    return round(diff, 4)


def make_sharded(out, llama_model, llama_ref, seed):
    name, src, shard = SHARDED
    case_dir = os.path.join(out, name)
    shutil.rmtree(case_dir, ignore_errors=True)
    llama_model.save_pretrained(case_dir, safe_serialization=True, max_shard_size=shard)
    rewrite_config(case_dir, CASES[src]["rewrite"])
    shards = [f for f in os.listdir(case_dir) if f.startswith("model-") and f.endswith(".safetensors")]
    if len(shards) < 3 or not os.path.exists(os.path.join(case_dir, "model.safetensors.index.json")):
        raise SystemExit(f"{name}: expected >= 3 shards + index, got {sorted(os.listdir(case_dir))}")
    save_file(llama_ref, os.path.join(case_dir, "reference.safetensors"), metadata={"case": name})
    check_reload(case_dir, llama_ref)
    meta = base_meta(seed)
    meta.update({"case": name, "model_class": "LlamaForCausalLM", "config_layout": CASES[src]["layout"],
                 "same_as": src, "max_shard_size": shard, "shards": sorted(shards),
                 "LONG_T": LONG_T, "LONG_LAST": LONG_LAST,
                 "tensors": {k: TENSOR_DOCS[k] for k in llama_ref},
                 "reload_check": "from_pretrained of the shards reproduces every stored tensor bit-exactly"})
    write_meta(case_dir, meta)
    print(f"{name}: {len(shards)} shards")


def make_hub_names(out, src, name, prefix, ref, seed):
    """Copy of case `src` whose weight names lack the base-model prefix, as in the Hub's original
    checkpoints (openai-community/gpt2 stores `h.0.attn.c_attn.weight`, not `transformer.h.0...`)."""
    from safetensors.torch import load_file
    src_dir, case_dir = os.path.join(out, src), os.path.join(out, name)
    shutil.rmtree(case_dir, ignore_errors=True)
    os.makedirs(case_dir)
    weights = load_file(os.path.join(src_dir, "model.safetensors"))
    renamed = {(k[len(prefix):] if k.startswith(prefix) else k): v for k, v in weights.items()}
    if renamed.keys() == weights.keys():
        raise SystemExit(f"{name}: no weight name starts with {prefix!r}")
    save_file(renamed, os.path.join(case_dir, "model.safetensors"), metadata={"format": "pt"})
    for f in ("config.json", "generation_config.json", "reference.safetensors"):
        shutil.copy(os.path.join(src_dir, f), case_dir)
    check_reload(case_dir, ref)
    meta = base_meta(seed)
    meta.update({"case": name, "same_as": src, "stripped_prefix": prefix,
                 "tensors": {k: TENSOR_DOCS[k] for k in ref},
                 "reload_check": "from_pretrained of the prefix-less weights reproduces every stored tensor bit-exactly"})
    write_meta(case_dir, meta)
    print(f"{name}: {len(renamed)} tensors without the {prefix!r} prefix")


HUB_NAMES = ("gpt2_hub_names", "gpt2", "transformer.")


# ---------------------------------------------------------------------------------------------------
# Long inputs on transformers' sdpa attention (fused attention in cramlab: T >= 1024)

SDPA_T = 1280        # tokens of the long input (above cramlab's fused-attention cross-over)
SDPA_LAST = 32       # positions whose logits are stored (the file stays small)
SDPA_PAD = 300       # right padding of batch row 1
SDPA_MAX_POS = 2048

SDPA_CASES = {
    "llama_long": dict(
        cls=LlamaForCausalLM, layout="hub (rope_theta + rope_scaling)",
        config=lambda: llama_config(num_key_value_heads=2, tie_word_embeddings=False,
                                    max_position_embeddings=SDPA_MAX_POS,
                                    rope_parameters={"rope_type": "default", "rope_theta": 10000.0}),
        rewrite=lambda c: hub_llama_layout(c, None)),
    "gpt_neox_long": dict(
        cls=GPTNeoXForCausalLM, layout="hub (rotary_pct + rotary_emb_base)",
        config=lambda: neox_config(use_parallel_residual=True, max_position_embeddings=SDPA_MAX_POS,
                                   rope_parameters={"rope_type": "default", "rope_theta": 10000.0,
                                                    "partial_rotary_factor": 0.25}),
        rewrite=hub_neox_layout),
}

SDPA_TENSOR_DOCS = {
    "input_ids": "I64 [1,T] random ids, T = SDPA_T",
    "logits_last": "F32 [1,SDPA_LAST,V] last positions of model(input_ids).logits (sdpa attention)",
    "memory": "F32 [K,d] randn(K,d) * input_embedding_matrix.std()",
    "mem_text_logits_last": "F32 [1,SDPA_LAST,V] last positions of model(inputs_embeds=cat([memory, embed(input_ids)],1),"
                            " attention_mask=ones).logits",
    "mem_loss": "F32 [] CrossEntropy(text logits[:, K:-1], input_ids[:, 1:]) mean over T-1, nats",
    "mem_grad": "F32 [K,d] d mem_loss / d memory (model frozen)",
    "batch_input_ids": "I64 [2,T]; row 1's last SDPA_PAD positions hold token 0",
    "batch_attention_mask": "I64 [2,T]; row 0 all ones, row 1 right-padded",
    "batch_positions": "I64 [2,SDPA_LAST] the last SDPA_LAST real positions of each row",
    "batch_logits_at": "F32 [2,SDPA_LAST,V] model(batch_input_ids, attention_mask).logits at batch_positions",
}


def sdpa_references(model, seed):
    gen = torch.Generator().manual_seed(seed + 2)
    for p in model.parameters():
        p.requires_grad_(False)
    emb = input_embeddings(model)
    ref = {}
    ids = torch.randint(0, VOCAB, (1, SDPA_T), generator=gen)
    ref["input_ids"] = ids
    with torch.no_grad():
        ref["logits_last"] = model(input_ids=ids).logits[:, -SDPA_LAST:]
    memory = (torch.randn(K, emb.shape[1], generator=gen) * emb.detach().std()).requires_grad_(True)
    ref["memory"] = memory
    mem = memory_forward(model, memory, ids)
    ref["mem_text_logits_last"] = mem["mem_text_logits"][:, -SDPA_LAST:]
    ref["mem_loss"] = mem["mem_loss"]
    ref["mem_grad"] = mem["mem_grad"]
    bids = torch.randint(0, VOCAB, (2, SDPA_T), generator=gen)
    mask = torch.ones(2, SDPA_T, dtype=torch.long)
    mask[1, SDPA_T - SDPA_PAD:] = 0
    bids[1, SDPA_T - SDPA_PAD:] = 0
    ref["batch_input_ids"] = bids
    ref["batch_attention_mask"] = mask
    pos = torch.stack([torch.arange(SDPA_T - SDPA_LAST, SDPA_T),
                       torch.arange(SDPA_T - SDPA_PAD - SDPA_LAST, SDPA_T - SDPA_PAD)])
    ref["batch_positions"] = pos
    with torch.no_grad():
        logits = model(input_ids=bids, attention_mask=mask).logits
    ref["batch_logits_at"] = torch.stack([logits[r, pos[r]] for r in range(2)])
    return {k: v.detach().contiguous().clone() for k, v in ref.items()}


def make_sdpa_case(out, name, seed):
    """A tiny model fed SDPA_T tokens, its references computed with attn_implementation="sdpa"."""
    spec = SDPA_CASES[name]
    case_dir = os.path.join(out, name)
    shutil.rmtree(case_dir, ignore_errors=True)
    torch.manual_seed(seed)
    model = spec["cls"]._from_config(spec["config"](), attn_implementation="sdpa", dtype=torch.float32)
    perturb(model, torch.Generator().manual_seed(seed + 1))
    model.eval()
    ref = sdpa_references(model, seed)
    spread = ref["logits_last"].std().item()
    if spread < 0.5:
        raise SystemExit(f"{name}: logits barely spread (std {spread:.3f})")
    model.save_pretrained(case_dir, safe_serialization=True)
    rewrite_config(case_dir, spec["rewrite"])
    save_file(ref, os.path.join(case_dir, "reference.safetensors"), metadata={"case": name})
    reloaded = AutoModelForCausalLM.from_pretrained(case_dir, attn_implementation="sdpa", dtype=torch.float32).eval()
    again = sdpa_references(reloaded, seed)
    for k, v in again.items():
        if not torch.equal(v, ref[k]):
            raise SystemExit(f"{case_dir}: reloaded model differs on {k}: max abs {(v - ref[k]).abs().max().item():.3g}")
    eager = AutoModelForCausalLM.from_pretrained(case_dir, attn_implementation="eager", dtype=torch.float32).eval()
    with torch.no_grad():
        eager_diff = (eager(input_ids=ref["input_ids"]).logits[:, -SDPA_LAST:] - ref["logits_last"]).abs().max().item()
    meta = base_meta(seed)
    meta.update({"case": name, "model_class": spec["cls"].__name__, "config_layout": spec["layout"],
                 "attn_implementation": "sdpa", "T": SDPA_T, "SDPA_LAST": SDPA_LAST, "SDPA_PAD": SDPA_PAD,
                 "logits_std": round(spread, 4), "eager_vs_sdpa_logits_max_abs": eager_diff,
                 "tensors": {k: SDPA_TENSOR_DOCS[k] for k in ref},
                 "reload_check": "from_pretrained (sdpa) reproduces every stored tensor bit-exactly"})
    for k in ("T2", "batch_row1_padding"):
        meta.pop(k)
    write_meta(case_dir, meta)
    print(f"{name}: logits std {spread:.3f}, eager vs sdpa {eager_diff:.2e}  "
          + ", ".join(f"{k}{list(v.shape)}" for k, v in ref.items()))


# ---------------------------------------------------------------------------------------------------
# AdamW trace

ADAMW = dict(lr=1e-2, betas=(0.9, 0.9), weight_decay=0.01, eps=1e-8)
TRACE_STEPS = 5
TRACE_T = 20


def greedy_text_with_noise(model, length, gen):
    """BOS + the model's own greedy continuation with every third token replaced at random, so the
    teacher-forced accuracy is neither 0 nor 1 and moves during the trace."""
    ids = torch.tensor([[model.config.bos_token_id]])
    with torch.no_grad():
        while ids.shape[1] < length:
            nxt = model(input_ids=ids).logits[:, -1].argmax(-1, keepdim=True)
            if ids.shape[1] % 3 == 0:
                nxt = torch.randint(0, VOCAB, (1, 1), generator=gen)
            ids = torch.cat([ids, nxt], dim=1)
    return ids


def make_adamw_trace(out, seed):
    """The paper's MemoryCell loop (frozen model, memory nn.Parameter, [memory; embed(ids)],
    logits[:, K:], shifted CE mean, teacher-forced argmax accuracy) with torch AdamW, 5 steps."""
    case_dir = os.path.join(out, "adamw_trace")
    shutil.rmtree(case_dir, ignore_errors=True)
    os.makedirs(case_dir)
    model = AutoModelForCausalLM.from_pretrained(os.path.join(out, "llama"), attn_implementation="eager",
                                                 dtype=torch.float32).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    gen = torch.Generator().manual_seed(seed)
    emb = model.get_input_embeddings()
    ids = greedy_text_with_noise(model, TRACE_T, gen)
    memory_init = torch.randn(K, emb.weight.shape[1], generator=gen) * emb.weight.data.std()
    memory = torch.nn.Parameter(memory_init.clone())
    opt = torch.optim.AdamW([memory], **ADAMW)
    losses, accs, after = [], [], []
    for _ in range(TRACE_STEPS):
        embeds = torch.cat([memory.unsqueeze(0), emb(ids)], dim=1)
        logits = model(inputs_embeds=embeds, attention_mask=torch.ones(embeds.shape[:2], dtype=torch.long)).logits[:, K:]
        shift = logits[:, :-1]
        loss = torch.nn.functional.cross_entropy(shift.reshape(-1, shift.shape[-1]), ids[:, 1:].reshape(-1))
        acc = (shift.argmax(-1) == ids[:, 1:]).float().mean()
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.detach())
        accs.append(acc.detach())
        after.append(memory.detach().clone())
    ref = {"input_ids": ids, "memory_init": memory_init, "losses": torch.stack(losses),
           "accuracies": torch.stack(accs), "memory_after": torch.stack(after)}
    save_file({k: v.contiguous() for k, v in ref.items()}, os.path.join(case_dir, "reference.safetensors"),
              metadata={"case": "adamw_trace"})
    meta = base_meta(seed)
    meta.update({"case": "adamw_trace", "model_dir": "../llama", "K": K, "T": TRACE_T, "steps": TRACE_STEPS,
                 "optimizer": {"name": "torch.optim.AdamW", "lr": ADAMW["lr"], "betas": list(ADAMW["betas"]),
                               "weight_decay": ADAMW["weight_decay"], "eps": ADAMW["eps"]},
                 "tensors": {
                     "input_ids": "I64 [1,T]; BOS + the model's greedy continuation, every third token random",
                     "memory_init": "F32 [K,d] randn * embedding_matrix.std(); the trainable memory starts here",
                     "losses": "F32 [steps] shifted CE mean (nats) over the T-1 text targets, BEFORE each step's update",
                     "accuracies": "F32 [steps] teacher-forced argmax accuracy over the same T-1 positions, before each update",
                     "memory_after": "F32 [steps,K,d] memory after each AdamW step"},
                 "losses_values": [round(x.item(), 6) for x in losses],
                 "accuracies_values": [round(x.item(), 6) for x in accs]})
    write_meta(case_dir, meta)
    print("adamw_trace: losses", [round(x.item(), 4) for x in losses], "acc", [round(x.item(), 3) for x in accs])


# ---------------------------------------------------------------------------------------------------
# tokenizers

CORPUS = [
    # Original public-domain text written for this fixture.
    "The river ran slowly past the old mill, and the miller watched the water turn the wheel. "
    "Every morning he counted the sacks of grain, and every evening he counted them again.",
    "In the winter the village was quiet. Snow covered the roads, the fields and the roofs, "
    "and the children built small houses of ice beside the church.",
    "A traveller came one night and asked for bread. The miller gave him bread and a warm place "
    "by the fire, and the traveller told stories of cities far to the south, of ships and markets.",
    "Numbers too: 1, 2, 3, 10, 42, 1568 and 2025. Punctuation (brackets), quotes \"like this\", "
    "dashes - and colons: all of them appear in ordinary writing.",
    "Café, naïve, résumé: a few accented words, and one more line so that the merges learn "
    "common pieces such as 'the', 'and', 'ing' and ' of'.",
]
SAMPLES = [
    "The miller counted the grain.",
    "  Leading spaces, numbers 1568 and a new\nline.",
    "Café naïve – unseen words: zyxwv! 🙂",
]


def make_tokenizers(out):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    base_dir = os.path.join(out, "tokenizers")
    shutil.rmtree(base_dir, ignore_errors=True)
    expected = {"transformers": transformers.__version__, "tokenizers_class": "PreTrainedTokenizerFast",
                "samples": SAMPLES, "variants": {}}
    variants = {
        "llama_style": dict(specials=["<s>", "</s>", "<unk>"], bos="<s>", eos="</s>", add_bos=True),
        "pythia_style": dict(specials=["<|endoftext|>", "<|padding|>"], bos="<|endoftext|>",
                             eos="<|endoftext|>", add_bos=False),
    }
    for name, v in variants.items():
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=v["specials"], show_progress=False,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
        tok.train_from_iterator(CORPUS, trainer=trainer)
        if v["add_bos"]:
            bos_id = tok.token_to_id(v["bos"])
            tok.post_processor = processors.TemplateProcessing(
                single=f"{v['bos']}:0 $A:0", pair=f"{v['bos']}:0 $A:0 {v['bos']}:1 $B:1",
                special_tokens=[(v["bos"], bos_id)])
        else:
            tok.post_processor = processors.ByteLevel(trim_offsets=False)
        d = os.path.join(base_dir, name)
        os.makedirs(d)
        tok.save(os.path.join(d, "tokenizer.json"))
        tcfg = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": v["bos"], "eos_token": v["eos"],
                "add_bos_token": v["add_bos"], "add_eos_token": False, "model_max_length": 2048,
                "clean_up_tokenization_spaces": False}
        with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
            json.dump(tcfg, f, indent=2, sort_keys=True)
            f.write("\n")
        hf = PreTrainedTokenizerFast.from_pretrained(d)
        rows = []
        for s in SAMPLES:
            with_sp = hf(s, add_special_tokens=True)["input_ids"]
            without = hf(s, add_special_tokens=False)["input_ids"]
            raw = tok.encode(s)
            if raw.ids != with_sp:
                raise SystemExit(f"{name}: tokenizers and transformers disagree on {s!r}: {raw.ids} vs {with_sp}")
            if v["add_bos"] != (with_sp[:1] == [tok.token_to_id(v["bos"])]):
                raise SystemExit(f"{name}: BOS handling wrong for {s!r}: {with_sp}")
            rows.append({"text": s, "ids_with_special": with_sp, "ids_without_special": without,
                         "decoded": hf.decode(with_sp, skip_special_tokens=True),
                         "decoded_with_special": hf.decode(with_sp, skip_special_tokens=False)})
        expected["variants"][name] = {"vocab_size": tok.get_vocab_size(), "bos_token": v["bos"],
                                      "bos_id": tok.token_to_id(v["bos"]), "eos_token": v["eos"],
                                      "eos_id": tok.token_to_id(v["eos"]), "add_bos_token": v["add_bos"],
                                      "samples": rows}
        print(f"tokenizer {name}: vocab {tok.get_vocab_size()}, sample 0 ids {rows[0]['ids_with_special']}")
    with open(os.path.join(base_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, ensure_ascii=False)
        f.write("\n")


# ---------------------------------------------------------------------------------------------------

def verify(out):
    """Fresh-process check of committed fixtures: from_pretrained + stored inputs -> stored outputs, bit-exact."""
    from safetensors.torch import load_file
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    for name in list(CASES) + [SHARDED[0], HUB_NAMES[0]]:
        case_dir = os.path.join(out, name)
        ref = load_file(os.path.join(case_dir, "reference.safetensors"))
        check_reload(case_dir, ref)
        print(f"verified {name}: {len(ref)} tensors bit-exact")
    for i, name in enumerate(SDPA_CASES):
        case_dir = os.path.join(out, name)
        ref = load_file(os.path.join(case_dir, "reference.safetensors"))
        model = AutoModelForCausalLM.from_pretrained(case_dir, attn_implementation="sdpa", dtype=torch.float32).eval()
        again = sdpa_references(model, BASE_SEED + 5000 + 100 * i)
        for k, v in again.items():
            if not torch.equal(v, ref[k]):
                raise SystemExit(f"{case_dir}: differs on {k}: max abs {(v - ref[k]).abs().max().item():.3g}")
        print(f"verified {name}: {len(ref)} tensors bit-exact")
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "resources", "golden"))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=default_out)
    ap.add_argument("--only", default="", help="comma-separated subset: case names, llama_sharded, "
                                               "tokenizers, adamw_trace, llama_long, gpt_neox_long")
    ap.add_argument("--verify", action="store_true", help="only reload the committed fixtures from disk "
                                                          "and check they reproduce reference.safetensors")
    args = ap.parse_args()
    if args.verify:
        return verify(args.out)
    only = set(filter(None, args.only.split(",")))
    want = lambda n: not only or n in only  # noqa: E731
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)  # single-threaded reductions: the same bits on every rerun
    os.makedirs(args.out, exist_ok=True)
    print(f"transformers {transformers.__version__}, torch {torch.__version__}, out {args.out}")

    for i, name in enumerate(CASES):
        need_llama = name == "llama" and (want("llama_sharded") or want("adamw_trace"))
        need_gpt2 = name == HUB_NAMES[1] and want(HUB_NAMES[0])
        if not (want(name) or need_llama or need_gpt2):
            continue
        model, ref = make_case(args.out, name, BASE_SEED + 100 * i)
        if name == "llama" and want("llama_sharded"):
            make_sharded(args.out, model, ref, BASE_SEED + 100 * i)
        if name == HUB_NAMES[1]:
            make_hub_names(args.out, HUB_NAMES[1], HUB_NAMES[0], HUB_NAMES[2], ref, BASE_SEED + 100 * i)
    for i, name in enumerate(SDPA_CASES):
        if want(name):
            make_sdpa_case(args.out, name, BASE_SEED + 5000 + 100 * i)
    if want("tokenizers"):
        make_tokenizers(args.out)
    if want("adamw_trace"):
        make_adamw_trace(args.out, BASE_SEED + 999)
    return 0


if __name__ == "__main__":
    sys.exit(main())
