"""The exercises' solutions, run in the simulator (or on a GPU) against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.cuda import exercises
from zero_to_hero.cuda.launch import blocks_for
from zero_to_hero.cuda.occupancy import occupancy


@pytest.mark.parametrize("n,blocks", [(1, 1), (1000, 2), (77, 3)])
def test_saxpy(n, blocks):
    rng = np.random.default_rng(n)
    x, y = (
        rng.standard_normal(n, dtype=np.float32),
        rng.standard_normal(n, dtype=np.float32),
    )
    expected = np.float32(2.5) * x + y
    exercises.saxpy[blocks, 128](np.float32(2.5), x, y)
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("shape", [(1, 1), (5, 23), (17, 3)])
def test_transpose(shape):
    A = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    out = np.zeros(shape[::-1], dtype=np.float32)
    tile = exercises.TRANSPOSE_TILE
    grid = (blocks_for(shape[1], tile), blocks_for(shape[0], tile))
    exercises.transpose[grid, (tile, tile)](A, out)
    np.testing.assert_array_equal(out, A.T)


@pytest.mark.parametrize("n", [1, 129, 300])
def test_block_sum(n):
    x = np.random.default_rng(n).standard_normal(n, dtype=np.float32)
    assert exercises.sum_on_device(x) == pytest.approx(
        float(x.astype(np.float64).sum()), abs=1e-4
    )


@settings(max_examples=200)
@given(
    warps=st.integers(1, 32),
    registers=st.integers(1, 255),
    shared=st.integers(0, 48 * 1024 - 1024),
)
def test_occupancy_by_hand_agrees_with_the_calculator(warps, registers, shared):
    threads = 32 * warps
    assert exercises.occupancy_by_hand(threads, registers, shared) == min(
        v for k, v in occupancy(threads, registers, shared, barriers=0).limits.items()
    )
