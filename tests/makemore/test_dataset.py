"""Context windows and the lectures' split."""

from __future__ import annotations

import random

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.makemore.dataset import build_windows, lecture_split, make_splits
from zero_to_hero.reference import anchor
from zero_to_hero.vocab import CharVocab

VOCAB = CharVocab.from_words(["abcdefghijklmnopqrstuvwxyz"])
names = st.lists(st.text("abcxyz", min_size=1, max_size=8), min_size=1, max_size=6)


@pytest.mark.parametrize("block_size", [3, 8])
def test_the_lecture_split_has_the_published_sizes_at_any_context(
    names_splits, block_size
):
    splits = names_splits(block_size)
    assert splits.sizes() == {
        name: anchor(f"makemore.split.{name}").value
        for name in ("train", "val", "test")
    }
    assert (
        splits.train.X.shape == (182625, block_size)
        and splits.train.X.dtype == torch.int64
    )
    assert splits.vocab.chars == ".abcdefghijklmnopqrstuvwxyz"


def test_the_split_is_the_lectures_shuffle_and_leaves_the_global_generator_alone(names):
    random.seed(123)
    before = random.random()
    random.seed(123)
    train, val, test = lecture_split(names)
    assert random.random() == before  # a private generator
    expected = list(names)
    random.seed(42)  # what the lecture does, on the global generator
    random.shuffle(expected)
    assert train + val + test == expected
    assert (len(train), len(train) + len(val)) == (25626, 28829)
    assert names[:3] == ["emma", "olivia", "ava"]  # the input is not shuffled in place


@given(names, st.integers(1, 5))
def test_windows_slide_over_each_name_and_end_with_the_boundary(words, block_size):
    X, Y = build_windows(words, VOCAB, block_size)
    assert (
        X.shape == (sum(len(w) + 1 for w in words), block_size)
        and Y.shape == X.shape[:1]
    )
    row = 0
    for word in words:
        padded = "." * block_size + word + "."
        for k in range(len(word) + 1):
            assert VOCAB.decode(X[row].tolist()) == padded[k : k + block_size]
            assert VOCAB.itos(int(Y[row])) == padded[k + block_size]
            row += 1


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="block_size must be a positive int, got 0"):
        build_windows(["ab"], VOCAB, 0)
    with pytest.raises(ValueError, match="character 'A' at position 0 of 'Anna'"):
        build_windows(["Anna"], VOCAB, 3)
    with pytest.raises(ValueError, match="word 1 is empty"):
        build_windows(["ab", ""], VOCAB, 3)
    with pytest.raises(TypeError, match="a list of words, got a single string"):
        build_windows("anna", VOCAB, 3)
    with pytest.raises(ValueError, match="needs a boundary token"):
        build_windows(["ab"], CharVocab("ab"), 3)
    with pytest.raises(ValueError, match="cuts must satisfy"):
        lecture_split(["a", "b"], cuts=(0.9, 0.8))
    with pytest.raises(KeyError, match="no split 'dev'; choose from train, val, test"):
        make_splits(["ab", "cd", "ef"], block_size=2)["dev"]
