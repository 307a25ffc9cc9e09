"""Solutions to the CUDA chapter's exercises (the tests run them in the simulator, and
the compile check compiles them for sm_90 like the chapter's own kernels)."""

from __future__ import annotations

import numpy as np
from numba import cuda, float32

from zero_to_hero.cuda.launch import blocks_for
from zero_to_hero.cuda.occupancy import SM90

__all__ = [
    "saxpy",
    "transpose",
    "TRANSPOSE_TILE",
    "block_sum",
    "SUM_THREADS",
    "sum_on_device",
    "occupancy_by_hand",
]


@cuda.jit
def saxpy(a, x, y):
    """y = a * x + y in place, with a grid-stride loop. Launch it with `np.float32(a)`:
    a Python float would be typed float64 and drag every multiply into double
    precision."""
    start = cuda.grid(1)
    for i in range(start, y.size, cuda.gridsize(1)):
        y[i] = a * x[i] + y[i]


#: Side of the square tile `transpose` stages in shared memory.
TRANSPOSE_TILE = 16
# A shared array's shape must be a constant: `TRANSPOSE_TILE + 1` inside the kernel is
# an expression, which the simulator accepts and the CUDA compiler rejects.
PADDED_TILE = TRANSPOSE_TILE + 1


@cuda.jit
def transpose(A, out):
    """out = A.T through a shared tile, so that both the reads and the writes are
    coalesced."""
    # One padding column: the column reads below then hit 16 different memory banks.
    tile = cuda.shared.array((TRANSPOSE_TILE, PADDED_TILE), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    # read A along its rows: x walks columns
    row = cuda.blockIdx.y * TRANSPOSE_TILE + ty
    col = cuda.blockIdx.x * TRANSPOSE_TILE + tx
    if row < A.shape[0] and col < A.shape[1]:
        tile[ty, tx] = A[row, col]
    cuda.syncthreads()
    # write out along its rows: x walks columns
    row = cuda.blockIdx.x * TRANSPOSE_TILE + ty
    col = cuda.blockIdx.y * TRANSPOSE_TILE + tx
    if row < out.shape[0] and col < out.shape[1]:
        out[row, col] = tile[tx, ty]


#: Threads per block of `block_sum` (a power of two, for the halving loop).
SUM_THREADS = 128


@cuda.jit
def block_sum(x, total):
    """total[0] += sum(x): each block sums its slice in shared memory, then adds it
    atomically."""
    partial = cuda.shared.array(SUM_THREADS, float32)
    t = cuda.threadIdx.x
    i = cuda.grid(1)
    partial[t] = x[i] if i < x.size else float32(0)
    cuda.syncthreads()
    stride = SUM_THREADS // 2
    while stride > 0:  # halve the number of active threads at each step
        if t < stride:
            partial[t] += partial[t + stride]
        # every sum of this step is written before the next step reads
        cuda.syncthreads()
        stride //= 2
    if t == 0:
        # blocks finish in any order: add atomically
        cuda.atomic.add(total, 0, partial[0])


def sum_on_device(x: np.ndarray) -> float:
    """Sum a float32 vector with `block_sum` (one thread per element)."""
    total = np.zeros(1, dtype=np.float32)
    block_sum[blocks_for(x.size, SUM_THREADS), SUM_THREADS](x, total)
    return float(total[0])


def occupancy_by_hand(threads: int, registers: int, shared_bytes: int) -> int:
    """Resident blocks per H100 SM, by the rules of the occupancy page, one resource at
    a time."""
    warps = threads // 32
    by_warps = SM90.max_warps_per_sm // warps
    regs_per_warp = -(-registers * 32 // 256) * 256  # allocated per warp, 256 at a time
    # 4 register slices
    by_registers = SM90.registers_per_sm // 4 // regs_per_warp * 4 // warps
    # plus 1 KB the driver reserves per block
    shared = -(-(shared_bytes + 1024) // 128) * 128
    by_shared = SM90.shared_per_sm // shared
    return min(by_warps, by_registers, by_shared, SM90.max_blocks_per_sm)
