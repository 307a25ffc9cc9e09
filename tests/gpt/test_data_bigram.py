"""Tiny Shakespeare as ids, batches, and the lecture's bigram run to the published
digit."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.gpt.bigram import BigramLanguageModel, train_bigram
from zero_to_hero.gpt.data import (
    CharDataset,
    batch_offsets,
    get_batch,
    shakespeare,
    windows,
)
from zero_to_hero.reference import anchor


@pytest.fixture(scope="module")
def data() -> CharDataset:
    return shakespeare()


def test_shakespeare_has_the_lectures_vocabulary_and_split(data):
    assert data.vocab.size == 65 and data.vocab.chars[:3] == "\n !"
    assert len(data.train) == 1_003_854 and len(data.val) == 111_540
    assert data.vocab.decode(data.train[:14].tolist()) == "First Citizen:"


@given(st.integers(1, 16), st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_targets_are_the_inputs_shifted_by_one(batch_size, block_size, seed):
    ids = torch.arange(100)
    x, y = get_batch(ids, batch_size, block_size, torch.Generator().manual_seed(seed))
    assert x.shape == y.shape == (batch_size, block_size)
    assert torch.equal(y, x + 1)  # ids are positions here, so "next" is "+1"
    assert int(x.max()) < 100 - 1


def test_windows_equal_explicit_slices():
    ids = torch.randint(65, (50,), generator=torch.Generator().manual_seed(0))
    offsets = torch.tensor([0, 7, 41])
    x, y = windows(ids, offsets, 8)
    for row, i in enumerate(offsets.tolist()):
        assert torch.equal(x[row], ids[i : i + 8]) and torch.equal(
            y[row], ids[i + 1 : i + 9]
        )


@pytest.mark.parametrize(
    "args,message",
    [
        ((8, 4, 8), "too short for windows of block_size \\+ 1 = 9"),
        ((100, 0, 8), ">= 1"),
    ],
)
def test_bad_batches_are_clear_errors(args, message):
    with pytest.raises(ValueError, match=message):
        batch_offsets(*args)
    with pytest.raises(ValueError, match="val_fraction must be between 0 and 1"):
        CharDataset.from_text("abc", val_fraction=1.0)
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        BigramLanguageModel(0)


@pytest.mark.slow
def test_the_lectures_bigram_run_is_reproduced_exactly(data):
    _, history = train_bigram(data)
    steps = [step for step, _, _ in history]
    assert steps == list(range(0, 3000, 300))
    assert round(history[-1][2], 4) == anchor("gpt.bigram.val_step2700").value
