"""The launch helpers: grid arithmetic, vector addition both ways, and every bad
input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import cuda

from zero_to_hero.cuda.launch import blocks_for, matmul, vector_add


@given(n=st.integers(1, 10**9), threads=st.integers(1, 1024))
def test_blocks_for_is_the_fewest_blocks_that_cover_n(n, threads):
    blocks = blocks_for(n, threads)
    assert blocks * threads >= n > (blocks - 1) * threads


@pytest.mark.parametrize(
    "n,threads,message",
    [
        (0, 256, "n must be a positive int"),
        (10.0, 256, "n must be a positive int"),
        (10, 0, "threads_per_block must be an int from 1 to 1024"),
        (10, 1025, "threads_per_block must be an int from 1 to 1024"),
    ],
)
def test_blocks_for_rejects_bad_sizes(n, threads, message):
    with pytest.raises(ValueError, match=message):
        blocks_for(n, threads)


@pytest.mark.parametrize("n", [1, 255, 1000])
def test_vector_add_one_thread_per_element(n):
    rng = np.random.default_rng(n)
    a, b = (
        rng.standard_normal(n, dtype=np.float32),
        rng.standard_normal(n, dtype=np.float32),
    )
    out = vector_add(a, b)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, a + b)  # one float32 addition: bit for bit


@settings(max_examples=8)
@given(
    n=st.integers(1, 300),
    blocks=st.integers(1, 3),
    threads=st.sampled_from([32, 64]),
    seed=st.integers(0, 2**16),
)
def test_grid_stride_covers_any_length_with_any_grid(n, blocks, threads, seed):
    rng = np.random.default_rng(seed)
    a, b = (
        rng.standard_normal(n, dtype=np.float32),
        rng.standard_normal(n, dtype=np.float32),
    )
    np.testing.assert_array_equal(
        vector_add(a, b, threads_per_block=threads, blocks=blocks), a + b
    )


def test_empty_vectors():
    empty = np.zeros(0, dtype=np.float32)
    assert vector_add(empty, empty).shape == (0,)


def test_device_arrays_stay_on_the_device():
    a = cuda.to_device(np.arange(10, dtype=np.float32))
    out = vector_add(a, a)
    assert hasattr(out, "copy_to_host")
    np.testing.assert_array_equal(
        out.copy_to_host(), 2 * np.arange(10, dtype=np.float32)
    )
    C = matmul(
        cuda.to_device(np.eye(3, dtype=np.float32)),
        cuda.to_device(np.eye(3, dtype=np.float32)),
    )
    np.testing.assert_array_equal(C.copy_to_host(), np.eye(3, dtype=np.float32))


def test_inputs_are_checked_with_clear_messages():
    f32 = np.ones(4, dtype=np.float32)
    with pytest.raises(
        TypeError, match=r"a must be float32 .* got float64.*astype\(np.float32\)"
    ):
        vector_add(np.ones(4), f32)
    with pytest.raises(ValueError, match="same length, got 4 and 3"):
        vector_add(f32, f32[:3])
    with pytest.raises(ValueError, match=r"b must be 1-D, got shape \(2, 2\)"):
        vector_add(f32, f32.reshape(2, 2))
    with pytest.raises(
        TypeError, match=r"\['b'\] are on the device but \['a'\] are not"
    ):
        vector_add(f32, cuda.to_device(f32))
    with pytest.raises(ValueError, match="blocks must be a positive int or None"):
        vector_add(f32, f32, blocks=0)
    with pytest.raises(
        ValueError, match="threads_per_block must be an int from 1 to 1024"
    ):
        vector_add(f32, f32, threads_per_block=2048, blocks=1)
    M = np.ones((2, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="A is 2×3 and B is 2×3"):
        matmul(M, M)
    with pytest.raises(ValueError, match="unknown kernel 'fast'"):
        matmul(M, M.T, kernel="fast")
    with pytest.raises(TypeError, match="B must be float32"):
        matmul(M, M.T.astype(np.float16))
