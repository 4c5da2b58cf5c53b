#!/usr/bin/env python3
"""Reference numbers of the committed default model, computed by Hugging Face transformers.

Prints the token ids, mean loss and first six last-position logits that
DefaultModelTest.matchesTransformersOnTheCommittedModel asserts; rerun it (in the Debian sid tree, see
README.md next to this file) whenever the default model is retrained, and paste the printed values.

Usage: python3 default_model_reference.py [MODEL_DIR]   (default: the repo's default-model resource)
"""
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoTokenizer, LlamaForCausalLM  # noqa: E402

TEXT = ("It is a truth universally acknowledged, that a single man in possession of a good fortune, "
        "must be in want of a wife.")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "main", "resources", "cramlab", "default-model")
    model_dir = sys.argv[1] if len(sys.argv) > 1 else default
    torch.manual_seed(0)
    torch.set_num_threads(1)
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = LlamaForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    ids = tok(TEXT)["input_ids"]
    x = torch.tensor([ids])
    with torch.no_grad():
        out = model(x, labels=x)
    last = out.logits[0, -1, :6].tolist()
    print(f"# transformers {transformers.__version__}, torch {torch.__version__}, {model_dir}")
    print("int[] hfIds = {" + ", ".join(str(i) for i in ids) + "};")
    print(f"double hfLoss = {out.loss.item()!r};")
    print("float[] hfLast = {" + ", ".join(f"{v!r}f" for v in last) + "};")


if __name__ == "__main__":
    main()
