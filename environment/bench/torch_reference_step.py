#!/usr/bin/env python3
"""PyTorch reference timing of one cramming optimisation step (the bench command's reference side).

Runs inside the Debian sid tree with transformers + torch (see src/test/python/README.md for the
tree). Builds the paper's MemoryCell set-up on a local Hugging Face model directory: frozen model,
K trainable float32 memory vectors = randn * std(input embeddings), inputs_embeds = [memory;
embed(ids)], logits[:, K:], shifted cross-entropy mean, torch.optim.AdamW(lr 1e-2, betas (0.9, 0.9),
weight decay 0.01). Times forward + backward + AdamW step for --steps steps after --warmup steps and
prints one JSON line:
  {model_dir, L, K, median_ms, p10_ms, p90_ms, torch_version, threads, mixer, ...}
Mamba model directories (model_type mamba) work too: --attn is ignored for them (see load_model).

--profile N prints the self CPU time per op name (torch.profiler) over N steps after --warmup instead of
timing; bench --profile puts it beside cramlab's (OpProfile).

--ids 1,2,3 times exactly these token ids (the benchmark passes cramlab's ids, so both sides see
the same input). --serve keeps the model loaded and answers JSON requests on stdin, one per line:
  {"ids": [...], "steps": n, "warmup": w}  ->  {"times_ms": [...], "loss": ...}
  {"ids": [...], "profile": n, "warmup": w}  ->  {"ops": [{"name", "calls", "self_ms"}, ...], "step_ms": ...}
Each distinct ids list keeps its own memory and AdamW state across requests (warm-up runs once per
ids list), so a caller can interleave chunks of torch steps with its own steps on a shared machine.

Example:
  chroot "$CRAMLAB_HF_REF" python3 /mnt/repo/environment/bench/torch_reference_step.py \\
      --model-dir /mnt/repo/src/test/resources/golden/llama --length 64
"""
import argparse
import gc
import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from json_channel import answer, requests  # noqa: E402  (before torch: native libraries' stdout goes to stderr)
import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", required=True, help="local Hugging Face model directory")
    ap.add_argument("--length", "-L", type=int, default=64, help="text length L in tokens")
    ap.add_argument("--mem", "-K", type=int, default=1, help="number of memory vectors K")
    ap.add_argument("--steps", type=int, default=20, help="timed steps")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--attn", choices=["eager", "sdpa"], default="sdpa", help="attn_implementation")
    ap.add_argument("--seed", type=int, default=0)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--text", help="tokenize this text (needs tokenizer files in --model-dir)")
    src.add_argument("--text-file", help="tokenize this file's text")
    src.add_argument("--ids", help="comma-separated token ids (L = their count)")
    ap.add_argument("--serve", action="store_true", help="answer timing requests on stdin (see above)")
    ap.add_argument("--profile", type=int, metavar="N", default=0,
                    help="per-op self CPU time instead of timing: torch.profiler over N steps after --warmup, "
                         "one JSON line {ops: [{name, calls, self_ms}], ...} per step, by self time")
    ap.add_argument("--peak", action="store_true",
                    help="memory of one step instead of timing: VmHWM growth of one step over VmRSS with the model "
                         "loaded (after one warm-up step at L = 16)")
    return ap.parse_args(argv)


def token_ids(args, config, gen):
    """L token ids: random uniform over the vocabulary, or the given text truncated to L tokens."""
    if args.ids:
        ids = torch.tensor([[int(x) for x in args.ids.split(",")]], dtype=torch.long)
        if int(ids.max()) >= config.vocab_size or int(ids.min()) < 0:
            sys.exit(f"--ids has an id outside [0, {config.vocab_size})")
        return ids
    text = args.text
    if args.text_file:
        with open(args.text_file, encoding="utf-8") as f:
            text = f.read()
    if text is None:
        return torch.randint(0, config.vocab_size, (1, args.length), generator=gen)
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(args.model_dir)
    ids = tok(text, max_length=args.length, truncation=True, return_tensors="pt")["input_ids"]
    if ids.shape[1] < args.length:
        sys.exit(f"text has only {ids.shape[1]} tokens, --length {args.length} requested")
    if int(ids.max()) >= config.vocab_size:
        sys.exit(f"tokenizer produced id {int(ids.max())}, beyond the model's vocab_size {config.vocab_size}")
    return ids


class Cell:
    """The paper's MemoryCell set-up on one input: memory, its AdamW, and one timed step."""

    def __init__(self, model, ids, mem, gen):
        self.model, self.ids, self.mem = model, ids, mem
        self.emb = model.get_input_embeddings()
        # d = word_embed_proj_dim for OPT, as the paper's train.py does (the input embedding width).
        w = self.emb.weight
        self.memory = torch.nn.Parameter(torch.randn(mem, w.shape[1], generator=gen) * w.data.std())
        self.opt = torch.optim.AdamW([self.memory], lr=1e-2, betas=(0.9, 0.9), weight_decay=0.01, eps=1e-8)
        self.mask = torch.ones(1, mem + ids.shape[1], dtype=torch.long)
        self.targets = ids[:, 1:].reshape(-1)

    def step(self):
        embeds = torch.cat([self.memory.unsqueeze(0), self.emb(self.ids)], dim=1)
        logits = self.model(inputs_embeds=embeds, attention_mask=self.mask).logits[:, self.mem:]
        shifted = logits[:, :-1].reshape(-1, logits.shape[-1])
        loss = torch.nn.functional.cross_entropy(shifted, self.targets)
        # the paper's loop takes the teacher-forced accuracy every step (train.calculate_accuracy) to stop
        # at 1.0; cramlab's step does the same, so the reference's step includes it
        accuracy = (shifted.detach().argmax(-1) == self.targets).float().mean()
        loss.backward()
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        accuracy.item()
        return loss.item()

    def timed(self, steps):
        times, losses = [], []
        for _ in range(steps):
            t0 = time.perf_counter()
            losses.append(self.step())
            times.append((time.perf_counter() - t0) * 1000.0)
        return times, losses


def load_model(args):
    """The model frozen, its config and its position limit (None for Mamba: no positions).

    Mamba has no attention, so --attn does not apply: transformers runs MambaMixer's CUDA kernels
    when mamba_ssm and causal_conv1d are installed and the model is on a GPU, else its pure-torch
    slow_forward (a sequential loop over time). `mixer` in the output says which one ran."""
    cfg = AutoConfig.from_pretrained(args.model_dir)
    kw = {} if cfg.model_type == "mamba" else {"attn_implementation": args.attn}
    model = AutoModelForCausalLM.from_pretrained(args.model_dir, dtype=torch.float32, **kw).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    cfg = model.config
    max_pos = getattr(cfg, "max_position_embeddings", None) or getattr(cfg, "n_positions", None)
    return model, cfg, max_pos


def mixer(model):
    """What computes the sequence mixing: the attention implementation, or Mamba's path."""
    if model.config.model_type != "mamba":
        return "attention " + model.config._attn_implementation
    from transformers.models.mamba import modeling_mamba
    kernels = all((modeling_mamba.selective_scan_fn, modeling_mamba.causal_conv1d_fn, modeling_mamba.mamba_inner_fn))
    on_gpu = next(model.parameters()).device.type == "cuda"
    return "mamba cuda kernels" if kernels and on_gpu else "mamba slow_forward (pure torch, sequential scan)"


def serve(args, model, max_pos, gen):
    """One JSON request per stdin line, one JSON answer per stdout line."""
    cells = {}
    answer({"ready": True, "torch_version": torch.__version__,
            "transformers_version": transformers.__version__, "threads": torch.get_num_threads(),
            "attn_implementation": args.attn, "mixer": mixer(model)})
    for req in requests():
        key = tuple(req["ids"])
        if max_pos is not None and args.mem + len(key) > max_pos:
            answer({"error": f"K + L = {args.mem + len(key)} exceeds the model's {max_pos} positions"})
            continue
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Cell(model, torch.tensor([key], dtype=torch.long), args.mem, gen)
            for _ in range(int(req.get("warmup", args.warmup))):
                cell.step()
        if req.get("profile"):
            ops, step_ms = profile_ops(cell, int(req["profile"]))
            answer({"ops": ops, "step_ms": round(step_ms, 4)})
            continue
        times, losses = cell.timed(int(req.get("steps", args.steps)))
        answer({"times_ms": [round(t, 4) for t in times], "loss": round(losses[-1], 6)})
    return 0


def proc_status():
    """VmRSS and VmHWM of this process in kB (/proc/self/status)."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


def peak(args, model, ids, gen):
    """The peak of one step over the loaded model, measured as cramlab's PeakProbe does: one warm-up
    step at L = 16 (libtorch's kernels, threads and allocator started), then VmHWM reset to VmRSS
    (clear_refs 5) and one step at the requested length."""
    warm = torch.randint(0, model.config.vocab_size, (1, 16), generator=gen)
    Cell(model, warm, args.mem, gen).step()
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = proc_status()
    Cell(model, ids, args.mem, gen).step()
    after = proc_status()
    answer({"L": ids.shape[1], "baseline_rss_kb": before["VmRSS"], "baseline_hwm_kb": before["VmHWM"],
            "peak_hwm_kb": after["VmHWM"], "after_rss_kb": after["VmRSS"], "threads": torch.get_num_threads(),
            "attn_implementation": args.attn, "torch_version": torch.__version__})
    return 0


def profile_ops(cell, steps):
    """Self CPU time per op name over `steps` steps of `cell`, per step, largest first (torch.profiler, CPU
    activities only), and the mean step time under the profiler. The profiler's ranges (autograd nodes, Optimizer.step) are kept: their self time is the
    Python and autograd work between the ops inside them."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        times, _ = cell.timed(steps)
    ops = [{"name": e.key, "calls": e.count / steps, "self_ms": round(e.self_cpu_time_total / 1000.0 / steps, 4)}
           for e in prof.key_averages()]
    return sorted(ops, key=lambda o: -o["self_ms"]), statistics.mean(times)


def main(argv=None):
    args = parse_args(argv)
    if args.length < 2 or args.mem < 1 or args.steps < 1 or args.warmup < 0:
        sys.exit("need --length >= 2, --mem >= 1, --steps >= 1, --warmup >= 0")
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    model, cfg, max_pos = load_model(args)
    if args.serve:
        return serve(args, model, max_pos, gen)

    ids = token_ids(args, cfg, gen)
    length = ids.shape[1]
    if max_pos is not None and args.mem + length > max_pos:
        sys.exit(f"K + L = {args.mem + length} exceeds the model's {max_pos} positions")
    if args.peak:
        return peak(args, model, ids, gen)
    cell = Cell(model, ids, args.mem, gen)
    for _ in range(args.warmup):
        cell.step()
    if args.profile:
        ops, step_ms = profile_ops(cell, args.profile)
        answer({"L": length, "steps": args.profile, "step_ms": round(step_ms, 3), "threads": torch.get_num_threads(),
                "torch_version": torch.__version__, "total_self_ms": round(sum(o["self_ms"] for o in ops), 3), "ops": ops})
        return 0
    times, losses = cell.timed(args.steps)

    times_sorted = sorted(times)
    deciles = statistics.quantiles(times_sorted, n=10, method="inclusive") if len(times) > 1 else times * 9
    answer({
        "model_dir": args.model_dir, "model_type": cfg.model_type, "L": length, "K": args.mem,
        "median_ms": round(statistics.median(times), 3), "p10_ms": round(deciles[0], 3),
        "p90_ms": round(deciles[-1], 3), "steps": args.steps, "warmup": args.warmup,
        "attn_implementation": args.attn, "mixer": mixer(model), "threads": torch.get_num_threads(),
        "torch_version": torch.__version__, "transformers_version": transformers.__version__,
        "first_loss": round(losses[0], 6), "last_loss": round(losses[-1], 6),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
