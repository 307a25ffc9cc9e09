"""Shared fixtures: the names, and the lecture splits built once per context length."""

from __future__ import annotations

import functools

import pytest

from zero_to_hero.data import load_names
from zero_to_hero.makemore.dataset import make_splits


@pytest.fixture(scope="session")
def names() -> list[str]:
    return load_names()


@pytest.fixture(scope="session")
def names_splits(names):
    """`names_splits(block_size)`: the lecture split of names.txt, cached."""
    return functools.cache(lambda block_size: make_splits(names, block_size=block_size))
