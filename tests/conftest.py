"""Shared test set-up: hypothesis profiles, the repository root on sys.path, and the
names data set with its lecture splits (makemore's and the GPT chapter's tests)."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `hooks.page_code` and `benchmarks`

# One thread, as everywhere in this project (see the Makefile).
os.environ.setdefault("OMP_NUM_THREADS", "1")

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def names() -> list[str]:
    from zero_to_hero.data import load_names

    return load_names()


@pytest.fixture(scope="session")
def names_splits(names):
    """`names_splits(block_size)`: the lecture split of names.txt, cached."""
    from zero_to_hero.makemore.dataset import make_splits

    return functools.cache(lambda block_size: make_splits(names, block_size=block_size))
