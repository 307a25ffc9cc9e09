"""Every kernel against numpy on shapes that are never multiples of the block size, on
the simulator (or a GPU when there is one), plus the teaching fixtures doing what they
teach."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zero_to_hero.cuda as zcuda
from tests.cuda.conftest import assert_matmul_close, on_simulator, random_matrix
from zero_to_hero.cuda import kernels, mistakes
from zero_to_hero.cuda.kernels import (
    BlockTiling,
    make_matmul_blocktiled,
    make_matmul_tiled,
)
from zero_to_hero.cuda.launch import (
    MATMUL_KERNELS,
    MatmulKernel,
    blocks_for,
    blocktiled_kernel,
    matmul,
    tiled_kernel,
)

# (M, K, N): one block, a ragged edge in every dimension; then two blocks along each
# axis of the grid with K spanning two tiles. None is a multiple of 16 (the naive and
# tiled blocks).
SHAPES = [(13, 7, 11), (21, 19, 5), (5, 3, 18)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("name", ["naive_rows", "naive", "tiled16"])
def test_matmul_kernels_match_numpy_on_ragged_shapes(name, shape):
    M, K, N = shape
    rng = np.random.default_rng(M * 1000 + K * 10 + N)
    A, B = random_matrix(rng, M, K), random_matrix(rng, K, N)
    assert_matmul_close(matmul(A, B, kernel=name), A, B)


def test_tiled32_matches_numpy_with_k_spanning_two_tiles():
    rng = np.random.default_rng(32)
    # one block of 1024 threads
    A, B = (
        random_matrix(rng, 2, 33),
        random_matrix(rng, 33, 3),
    )
    assert_matmul_close(matmul(A, B, kernel="tiled32"), A, B)


@settings(max_examples=5)
@given(
    tile=st.integers(2, 6),
    M=st.integers(1, 11),
    K=st.integers(1, 11),
    N=st.integers(1, 11),
    seed=st.integers(0, 2**16),
)
def test_tiled_kernel_is_right_for_any_tile_size_and_shape(tile, M, K, N, seed):
    rng = np.random.default_rng(seed)
    A, B = random_matrix(rng, M, K), random_matrix(rng, K, N)
    assert_matmul_close(matmul(A, B, kernel=tiled_kernel(tile)), A, B)


# Small shapes of the register-blocked kernel (the GPU one has 256 threads of 8 x 8
# patches): square, and rectangular tiles and patches both ways.
BLOCKTILINGS = [
    BlockTiling(bm=16, bn=16, bk=4, tm=4, tn=4),
    BlockTiling(bm=8, bn=16, bk=4, tm=2, tn=4),
    BlockTiling(bm=16, bn=8, bk=2, tm=4, tn=2),
]


@pytest.mark.parametrize("tiling", BLOCKTILINGS, ids=repr)
def test_blocktiled_kernel_matches_numpy_on_ragged_shapes(tiling):
    rng = np.random.default_rng(tiling.threads)
    # 2 x 2 blocks (or more), K ragged
    A, B = (
        random_matrix(rng, 19, 9),
        random_matrix(rng, 9, 21),
    )
    assert_matmul_close(matmul(A, B, kernel=blocktiled_kernel(tiling)), A, B)


def test_the_gpu_blocktiled_kernel_is_right_on_one_ragged_block():
    rng = np.random.default_rng(128)
    # a 128 x 128 tile, mostly outside
    A, B = (
        random_matrix(rng, 3, 10),
        random_matrix(rng, 10, 2),
    )
    assert_matmul_close(matmul(A, B, kernel="blocktiled"), A, B)


def test_empty_dimensions():
    A = np.ones((3, 0), dtype=np.float32)
    B = np.ones((0, 4), dtype=np.float32)
    np.testing.assert_array_equal(
        matmul(A, B, kernel="tiled16"), np.zeros((3, 4), np.float32)
    )
    assert matmul(B.T, A.T, kernel="naive").shape == (4, 3)
    assert matmul(np.ones((0, 2), np.float32), np.ones((2, 5), np.float32)).shape == (
        0,
        5,
    )


@pytest.mark.parametrize("name", list(MATMUL_KERNELS))
def test_each_kernel_covers_the_output_with_the_fewest_blocks(name):
    kernel: MatmulKernel = MATMUL_KERNELS[name]
    for M, N in [(1, 1), (17, 300), (1000, 33)]:
        gx, gy = kernel.grid(M, N)
        rows, cols = (gx, gy) if kernel.x_over_rows else (gy, gx)
        assert rows == blocks_for(M, kernel.tile[0]) and cols == blocks_for(
            N, kernel.tile[1]
        )
        assert (rows - 1) * kernel.tile[0] < M <= rows * kernel.tile[0]


def test_only_the_uncoalesced_kernel_maps_x_to_rows():
    assert [n for n, k in MATMUL_KERNELS.items() if k.x_over_rows] == ["naive_rows"]


@pytest.mark.parametrize("tile", [0, 33, 2.0])
def test_tile_size_is_checked(tile):
    with pytest.raises(ValueError, match="tile must be an int from 1 to 32"):
        make_matmul_tiled(tile)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(bm=128, bn=128, bk=8, tm=6, tn=8), "multiple of tm"),
        (
            dict(bm=128, bn=128, bk=8, tm=2, tn=2),
            "threads per block; the limit is 1024",
        ),
        (dict(bm=16, bn=16, bk=3, tm=2, tn=2), "split evenly"),
        (dict(bm=16, bn=16, bk=0, tm=4, tn=4), "bk must be a positive int"),
    ],
)
def test_block_tiling_is_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BlockTiling(**kwargs)


def test_blocktiled_factory_builds_a_kernel_per_shape():
    a, b = (
        make_matmul_blocktiled(BLOCKTILINGS[0]),
        make_matmul_blocktiled(BLOCKTILINGS[1]),
    )
    assert a is not b and kernels.BLOCKTILED_GPU.threads == 256


# --- the teaching fixtures ------------------------------------------------------------


@on_simulator
def test_a_launch_without_the_bounds_guard_raises_in_the_simulator():
    n = 100  # one block of 128 threads: threads 100..127 index past the end
    a = np.ones(n, dtype=np.float32)
    out = np.zeros(n, dtype=np.float32)
    with pytest.raises(IndexError, match=r"tid=\[1\d\d, 0, 0\] ctaid=\[0, 0, 0\]"):
        mistakes.vec_add_unguarded[1, 128](a, a, out)


def test_the_same_launch_with_the_guard_is_fine():
    n = 100
    a = np.arange(n, dtype=np.float32)
    out = np.zeros(n, dtype=np.float32)
    kernels.vec_add[1, 128](a, a, out)
    np.testing.assert_array_equal(out, 2 * a)


@on_simulator
# garbage can be huge
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_the_tiled_kernel_without_barriers_computes_garbage_in_the_simulator():
    rng = np.random.default_rng(0)
    A, B = random_matrix(rng, 16, 16), random_matrix(rng, 16, 16)
    C = np.zeros((16, 16), dtype=np.float32)
    mistakes.matmul_tiled_no_barriers[(1, 1), (16, 16)](A, B, C)
    # Threads run one after another here, so most read tiles their neighbours never
    # filled.
    assert not np.allclose(C, A @ B, rtol=1e-3, atol=1e-3)


def test_the_float64_accumulator_gives_the_right_numbers():
    """Which is why only the compile check (test_compile_check.py) can catch it."""
    rng = np.random.default_rng(1)
    A, B = random_matrix(rng, 5, 7), random_matrix(rng, 7, 3)
    C = np.zeros((5, 3), dtype=np.float32)
    mistakes.matmul_naive_float64[(1, 1), (16, 16)](A, B, C)
    assert_matmul_close(C, A, B)


@pytest.mark.skipif(zcuda.on_simulator(), reason="GPU sizes: minutes in the simulator")
@pytest.mark.parametrize("name", list(MATMUL_KERNELS))
def test_every_kernel_at_gpu_sizes(name):
    rng = np.random.default_rng(7)
    A, B = random_matrix(rng, 1000, 999), random_matrix(rng, 999, 1001)
    assert_matmul_close(matmul(A, B, kernel=name), A, B)
