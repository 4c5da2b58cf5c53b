"""The JSON answer channel of the benchmark's Python sides (torch_reference_step.py, torch_gemm.py).

Importing it moves answers to a private copy of stdout and points descriptor 1 itself at stderr, so
whatever a native library prints there (UCX, cpuinfo or OpenMP warnings, e.g. where the tree has no /proc)
lands in the log instead of the JSON channel the benchmark reads. Import it before torch.
"""
import json
import os
import sys

ANSWERS = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr


def answer(obj):
    """One JSON line on the answer channel, flushed."""
    ANSWERS.write(json.dumps(obj) + "\n")
    ANSWERS.flush()


def requests():
    """The JSON requests on stdin, one per line, until end of input or a {"quit": true} request."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req.get("quit"):
            return
        yield req
