"""Attention and GPT: self-attention from scratch, GPT vs BERT, a character-level GPT.

The modules follow the chapter: `data` (Tiny Shakespeare as ids), `bigram` (the
baseline), `aggregation` (the averaging trick), `attention` (heads, masks, rotary
positions), `model` (blocks and the configurable GPT), `minimal` (the GPT as the page
shows it), `sampling`, `bert` (the bidirectional sibling), `buildup` (the chapter's
stages), `training` (the training loop, also under torchrun), `recipes` (named
configurations), `flops` (model FLOP utilisation), `plots` and `exercises`.
"""

from zero_to_hero.gpt.attention import Head, MultiHeadAttention
from zero_to_hero.gpt.bigram import BigramLanguageModel
from zero_to_hero.gpt.data import CharDataset, get_batch, shakespeare
from zero_to_hero.gpt.model import GPT, Block, FeedForward, GPTConfig
from zero_to_hero.gpt.training import TrainConfig, load_model, train

__all__ = [
    "CharDataset",
    "shakespeare",
    "get_batch",
    "BigramLanguageModel",
    "Head",
    "MultiHeadAttention",
    "FeedForward",
    "Block",
    "GPTConfig",
    "GPT",
    "TrainConfig",
    "train",
    "load_model",
]
