"""Reproducing GPT-2 (124M): the exact architecture, Hugging Face checkpoints, and
generation with a KV cache.

The modules follow the chapter: `model` (the config, the blocks, the model and its KV
cache), `hf` (loading a Hugging Face-format directory), `sampling` (greedy, temperature,
top-k and top-p), `fast` (the model laid out for generation), `train` (the production
recipe's optimizer, schedule, clipping and gradient accumulation, and the loop: data
parallel, checkpoints, resuming), `data` (token ids in uint16 shards, and the loader
that reads each rank's slice of them), `recipes` (`small` for a CPU, `124m` for GPUs)
and `cli`. The tokenizer is the BPE chapter's (`zero_to_hero.bpe.load_gpt2`).
"""

from zero_to_hero.gpt2.hf import load_pretrained
from zero_to_hero.gpt2.model import GPT2, GPT2Config, KVCache

__all__ = ["GPT2Config", "GPT2", "KVCache", "load_pretrained"]
