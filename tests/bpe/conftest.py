"""Tokenizers shared by the BPE tests, trained once per session (each in well under a
second)."""

from __future__ import annotations

import pytest

from zero_to_hero.bpe import (
    GPT2_SPLIT_PATTERN,
    BasicTokenizer,
    RegexTokenizer,
    load_gpt2,
)
from zero_to_hero.data import load_taylorswift


@pytest.fixture(scope="session")
def taylorswift() -> str:
    return load_taylorswift()


@pytest.fixture(scope="session")
def trained(taylorswift) -> dict[str, object]:
    """Every kind of tokenizer the chapter has, trained or loaded."""
    return {
        "basic": BasicTokenizer().train(taylorswift, 512),
        "regex-gpt4": RegexTokenizer().train(taylorswift, 1024),
        "regex-gpt2": RegexTokenizer(GPT2_SPLIT_PATTERN).train(taylorswift, 1024),
        "gpt2": load_gpt2(),
    }
