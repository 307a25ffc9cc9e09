"""Byte-pair encoding: byte-level tokenizers, two trainers with identical results,
GPT-2's tokenizer loaded from its published files, and a versioned save format.

`zero_to_hero.bpe.lecture` has the same tokenizers written to be read (the classes the
pages list); the ones exported here are the tools, with the same results."""

from zero_to_hero.bpe.basics import count_pairs, merge, train_straightforward
from zero_to_hero.bpe.fast import train_fast
from zero_to_hero.bpe.gpt2 import load_gpt2
from zero_to_hero.bpe.tokenizer import (
    GPT2_SPLIT_PATTERN,
    GPT4_SPLIT_PATTERN,
    BasicTokenizer,
    RegexTokenizer,
    Tokenizer,
    TrainingStoppedEarly,
)

__all__ = [
    "count_pairs",
    "merge",
    "train_straightforward",
    "train_fast",
    "Tokenizer",
    "BasicTokenizer",
    "RegexTokenizer",
    "GPT2_SPLIT_PATTERN",
    "GPT4_SPLIT_PATTERN",
    "TrainingStoppedEarly",
    "load_gpt2",
]
