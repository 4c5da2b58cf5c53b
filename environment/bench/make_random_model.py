#!/usr/bin/env python3
"""Writes a randomly initialised Hugging Face model directory of a known shape (benchmark input).

Runs inside the Debian sid tree with transformers (see torch_reference_step.py). No tokenizer: the
benchmark feeds random token ids. Shapes:
  pythia-70m  gpt_neox, d 512, 6 layers, 8 heads, vocab 50304, 2048 positions, rotary_pct 0.25
              (the shape of EleutherAI/pythia-70m; the reference numbers in stack-notes use it)
  pythia-160m gpt_neox, d 768, 12 layers, 12 heads, vocab 50304, 2048 positions, rotary_pct 0.25
              (the shape of EleutherAI/pythia-160m, one of the paper's models)
  llama-small llama, d 256, 4 layers, 4 heads (2 kv), vocab 8192, 2048 positions
  llama-3.2-1b llama, d 2048, 16 layers, 32 heads (8 kv), ff 8192, vocab 128256, tied, 131072 positions,
              rope theta 500000 with llama3 scaling (the config of meta-llama/Llama-3.2-1B; ~4.6 GiB float32)
  mamba-130m  mamba, d 768, 24 layers, state 16, expand 2, conv 4, vocab 50280, tied
              (the shape of state-spaces/mamba-130m-hf, the paper's smallest v2 model)
  mamba-small mamba, d 256, 4 layers, state 16, expand 2, conv 4, vocab 8192 (where the scan's op count
              shows: small matmuls)

Example:
  chroot "$CRAMLAB_HF_REF" python3 /mnt/repo/environment/bench/make_random_model.py pythia-70m /mnt/out/pythia-70m-random
"""
import sys

import torch
from transformers import (GPTNeoXConfig, GPTNeoXForCausalLM, LlamaConfig, LlamaForCausalLM, MambaConfig,
                          MambaForCausalLM)

SHAPES = {
    "pythia-70m": lambda: GPTNeoXForCausalLM(GPTNeoXConfig(
        vocab_size=50304, hidden_size=512, num_hidden_layers=6, num_attention_heads=8, intermediate_size=2048,
        max_position_embeddings=2048, rotary_pct=0.25, rotary_emb_base=10000, use_parallel_residual=True,
        tie_word_embeddings=False, bos_token_id=0, eos_token_id=0)),
    "pythia-160m": lambda: GPTNeoXForCausalLM(GPTNeoXConfig(
        vocab_size=50304, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
        max_position_embeddings=2048, rotary_pct=0.25, rotary_emb_base=10000, use_parallel_residual=True,
        tie_word_embeddings=False, bos_token_id=0, eos_token_id=0)),
    "llama-small": lambda: LlamaForCausalLM(LlamaConfig(
        vocab_size=8192, hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
        intermediate_size=688, max_position_embeddings=2048, tie_word_embeddings=False)),
    "llama-3.2-1b": lambda: LlamaForCausalLM(LlamaConfig(
        vocab_size=128256, hidden_size=2048, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8,
        head_dim=64, intermediate_size=8192, max_position_embeddings=131072, rms_norm_eps=1e-5,
        hidden_act="silu", tie_word_embeddings=True, bos_token_id=128000, eos_token_id=128001,
        rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 32.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})),
    "mamba-130m": lambda: MambaForCausalLM(MambaConfig(
        vocab_size=50280, hidden_size=768, num_hidden_layers=24, state_size=16, expand=2, conv_kernel=4,
        time_step_rank="auto", use_bias=False, use_conv_bias=True, residual_in_fp32=True, tie_word_embeddings=True,
        bos_token_id=0, eos_token_id=0, pad_token_id=0)),
    "mamba-small": lambda: MambaForCausalLM(MambaConfig(
        vocab_size=8192, hidden_size=256, num_hidden_layers=4, state_size=16, expand=2, conv_kernel=4,
        time_step_rank="auto", tie_word_embeddings=True, bos_token_id=0, eos_token_id=0, pad_token_id=0)),
}


def main(argv):
    if len(argv) != 2 or argv[0] not in SHAPES:
        sys.exit(f"usage: make_random_model.py {{{','.join(SHAPES)}}} OUT_DIR")
    torch.manual_seed(0)
    SHAPES[argv[0]]().save_pretrained(argv[1], safe_serialization=True)
    print(argv[1])


if __name__ == "__main__":
    main(sys.argv[1:])
