"""Kernels with a classic mistake each, kept to show what the mistake does (teaching
fixtures).

Never use these for real work. Each one is the correct kernel from
[`kernels`][zero_to_hero.cuda.kernels] minus one line:

* `vec_add_unguarded` has no bounds guard. The simulator raises `IndexError` for the
  threads of the last block that fall past the end; a real GPU lets them write there
  silently, corrupting whatever lives next in memory.
* `matmul_tiled_no_barriers` has no `cuda.syncthreads()`: threads read tile entries
  their neighbours have not written yet, or have already overwritten.
* `matmul_naive_float64` starts its accumulator at `0.0`, a float64: the result looks
  right, but on a GPU the loop runs in double precision (the compile check finds `.f64`
  in its PTX).
"""

from __future__ import annotations

from numba import cuda, float32

__all__ = [
    "vec_add_unguarded",
    "matmul_tiled_no_barriers",
    "matmul_naive_float64",
    "TILE",
]

#: The tile size of `matmul_tiled_no_barriers`.
TILE = 16


@cuda.jit
def vec_add_unguarded(a, b, out):
    """out[i] = a[i] + b[i] with the bounds guard missing."""
    i = cuda.grid(1)
    out[i] = a[i] + b[i]  # threads past the end of the arrays write there too


@cuda.jit
def matmul_tiled_no_barriers(A, B, C):
    """The 16 × 16 tiled matmul with both `cuda.syncthreads()` calls removed."""
    sA = cuda.shared.array((TILE, TILE), float32)
    sB = cuda.shared.array((TILE, TILE), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    row = cuda.blockIdx.y * TILE + ty
    col = cuda.blockIdx.x * TILE + tx
    M, K = A.shape
    N = B.shape[1]
    acc = float32(0)
    for k0 in range(0, K, TILE):
        sA[ty, tx] = A[row, k0 + tx] if row < M and k0 + tx < K else float32(0)
        sB[ty, tx] = B[k0 + ty, col] if k0 + ty < K and col < N else float32(0)
        for k in range(TILE):  # nothing waits for the other threads' loads
            acc += sA[ty, k] * sB[k, tx]
    if row < M and col < N:
        C[row, col] = acc


@cuda.jit
def matmul_naive_float64(A, B, C):
    """The coalesced naive matmul with a float64 accumulator, as in many tutorials."""
    col, row = cuda.grid(2)
    if row < C.shape[0] and col < C.shape[1]:
        # a Python float is a float64: every += below converts and adds in float64
        acc = 0.0
        for k in range(A.shape[1]):
            acc += A[row, k] * B[k, col]
        C[row, col] = acc
