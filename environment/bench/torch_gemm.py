#!/usr/bin/env python3
"""PyTorch side of `bench gemm`: times one matmul of a linear layer, paired with cramlab's (DJL libtorch).

Runs inside the Debian sid tree (see torch_reference_step.py). --serve answers JSON requests on stdin,
one per line, one JSON line each on stdout:
  {"op": "forward"|"backward", "t": T, "d_in": D, "d_out": O, "reps": n}  ->  {"times_ms": [...]}
forward is torch.nn.functional.linear(x[T, D], W[O, D]) (what a model's linear layer runs); backward is
the activation gradient of that layer, dy[T, O] @ W[O, D] (cramming freezes the weights, so the step
needs no weight gradient). Inputs are random float32 made once per shape and kept; no autograd.
The first request per shape also runs 2 untimed calls (kernel selection, first-touch of the output).

Example:
  chroot "$CRAMLAB_HF_REF" python3 /mnt/repo/environment/bench/torch_gemm.py --threads 2 --serve
"""
import argparse
import sys
import time

from json_channel import answer, requests  # before torch: native libraries' stdout goes to stderr
import torch  # noqa: E402


def config():
    """What BLAS and CPU path this torch uses (e.g. BLAS_INFO=open or mkl, CPU capability)."""
    fields = torch.__config__.show().replace(",", " ").split()
    keep = [f for f in fields if f.startswith(("BLAS_INFO=", "USE_MKLDNN=", "USE_OPENMP="))]
    return {"torch_version": torch.__version__, "threads": torch.get_num_threads(),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(), "config": ", ".join(keep)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--serve", action="store_true", help="answer timing requests on stdin (see above)")
    # accepted and ignored, so that the benchmark can start this script like the step reference
    ap.add_argument("--model-dir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not args.serve:
        sys.exit("torch_gemm.py only serves (--serve); see --help")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    arrays = {}
    answer({"ready": True, **config()})
    for req in requests():
        op, t, d_in, d_out = req["op"], int(req["t"]), int(req["d_in"]), int(req["d_out"])
        key = (op, t, d_in, d_out)
        if key not in arrays:
            arrays.clear()  # one shape at a time: the vocabulary heads are hundreds of MiB
            w = torch.randn(d_out, d_in) * 0.02
            x = torch.randn(t, d_out if op == "backward" else d_in)
            arrays[key] = (x, w)
            for _ in range(2):
                run(op, x, w)
        x, w = arrays[key]
        times = []
        with torch.no_grad():
            for _ in range(int(req["reps"])):
                t0 = time.perf_counter()
                run(op, x, w)
                times.append((time.perf_counter() - t0) * 1000.0)
        answer({"times_ms": [round(v, 4) for v in times]})
    return 0


def run(op, x, w):
    with torch.no_grad():
        return torch.nn.functional.linear(x, w) if op == "forward" else x @ w


if __name__ == "__main__":
    sys.exit(main())
