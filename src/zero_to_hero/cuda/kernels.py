"""The chapter's CUDA kernels, written once with numba-cuda: vector addition and matrix
multiply.

Each kernel is the body of *one thread*. A launch `kernel[blocks, threads](args)` runs
that body in every thread of a grid of blocks; the thread finds out which element it
owns from its indices. The same functions run on a GPU and, unchanged, in numba's CUDA
simulator on a CPU.

Rules every kernel here follows:

* **float32 throughout.** A bare `0.0` literal is a float64 in numba, and one float64
  operand turns the whole accumulation into slow double-precision arithmetic on the GPU
  (the simulator cannot tell). Accumulators start from `float32(0)`; the compile check
  scans the generated PTX for float64 instructions.
* **Bounds guards for any shape.** The grid is rounded up to whole blocks, so some
  threads fall outside the arrays; they must neither read nor write there.
* **x is the fast index.** Threads with consecutive `threadIdx.x` form a warp (32
  threads that execute together); mapping x to the contiguous (last) axis of row-major
  arrays makes a warp touch consecutive addresses. `matmul_naive_rows` breaks this rule
  on purpose.

Launch them through [`zero_to_hero.cuda.launch`][zero_to_hero.cuda.launch], which
computes the grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numba import cuda, float32

__all__ = [
    "vec_add",
    "vec_add_grid_stride",
    "matmul_naive_rows",
    "matmul_naive",
    "make_matmul_tiled",
    "matmul_tiled16",
    "matmul_tiled32",
    "make_matmul_blocktiled",
    "BlockTiling",
    "matmul_blocktiled",
]


@cuda.jit
def vec_add(a, b, out):
    """out[i] = a[i] + b[i], one thread per element."""
    i = cuda.grid(1)  # = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
    if i < out.size:  # the last block sticks out past the end of the arrays
        out[i] = a[i] + b[i]


@cuda.jit
def vec_add_grid_stride(a, b, out):
    """out = a + b with a grid-stride loop: any grid size covers any array length."""
    start = cuda.grid(1)
    stride = cuda.gridsize(1)  # the number of threads in the whole grid
    for i in range(start, out.size, stride):
        out[i] = a[i] + b[i]


@cuda.jit
def matmul_naive_rows(A, B, C):
    """C = A @ B, one thread per element of C, with x mapped to the *row*:
    uncoalesced."""
    row, col = cuda.grid(2)  # (x, y): x, the fast index within a warp, picks the row
    if row < C.shape[0] and col < C.shape[1]:
        acc = float32(0)
        for k in range(A.shape[1]):
            acc += A[row, k] * B[k, col]  # a warp reads 32 different rows of A at once
        C[row, col] = acc


@cuda.jit
def matmul_naive(A, B, C):
    """C = A @ B, one thread per element of C, with x mapped to the column:
    coalesced."""
    col, row = cuda.grid(2)  # x picks the column: a warp covers 32 neighbouring columns
    if row < C.shape[0] and col < C.shape[1]:
        acc = float32(0)
        for k in range(A.shape[1]):
            # one A value for the warp, 32 adjacent B values
            acc += A[row, k] * B[k, col]
        C[row, col] = acc


def make_matmul_tiled(tile: int) -> Any:
    """Build the shared-memory tiled matmul for `tile` × `tile` blocks of threads.

    The tile size must be a compile-time constant (it sizes the shared arrays), so each
    size is its own kernel; numba freezes the closure variable `tile` into the compiled
    code.

    Args:
        tile: Threads per block side, and the side of the square tiles of A and B staged
            in shared memory. 32 × 32 = 1024 threads is the most a block may have.

    Returns:
        A kernel to launch with blocks of `(tile, tile)` threads over a grid that covers
        C, x along the columns.

    Raises:
        ValueError: `tile` is not between 1 and 32.
    """
    if not isinstance(tile, int) or not 1 <= tile <= 32:
        raise ValueError(
            "tile must be an int from 1 to 32 (a block holds ≤ 1024 threads), got "
            f"{tile!r}"
        )

    @cuda.jit
    def matmul_tiled(A, B, C):
        """C = A @ B, staging tile × tile blocks of A and B in shared memory."""
        # seen by every thread of the block
        sA = cuda.shared.array((tile, tile), float32)
        sB = cuda.shared.array((tile, tile), float32)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        row = cuda.blockIdx.y * tile + ty
        col = cuda.blockIdx.x * tile + tx
        M, K = A.shape
        N = B.shape[1]
        acc = float32(0)
        for k0 in range(0, K, tile):
            # Each thread loads one element of each tile; outside the matrices, a zero.
            sA[ty, tx] = A[row, k0 + tx] if row < M and k0 + tx < K else float32(0)
            sB[ty, tx] = B[k0 + ty, col] if k0 + ty < K and col < N else float32(0)
            # barrier 1: the tiles are complete before anyone reads them
            cuda.syncthreads()
            for k in range(tile):
                acc += sA[ty, k] * sB[k, tx]
            # barrier 2: everyone is done before the next load overwrites
            cuda.syncthreads()
        if row < M and col < N:
            C[row, col] = acc

    return matmul_tiled


#: The tiled kernel with 16 × 16 tiles (256 threads per block).
matmul_tiled16 = make_matmul_tiled(16)
#: The tiled kernel with 32 × 32 tiles (1024 threads per block).
matmul_tiled32 = make_matmul_tiled(32)


@dataclass(frozen=True)
class BlockTiling:
    """The shape of the register-blocked matmul: each block computes a `bm` × `bn` tile
    of C.

    Each of its `(bm // tm) * (bn // tn)` threads computes a `tm` × `tn` patch of that
    tile in registers, stepping through K `bk` columns at a time.

    Attributes:
        bm: Rows of C per block.
        bn: Columns of C per block.
        bk: Depth of the A and B slices staged in shared memory per step.
        tm: Rows of C per thread.
        tn: Columns of C per thread.
    """

    bm: int
    bn: int
    bk: int
    tm: int
    tn: int

    def __post_init__(self) -> None:
        for name in ("bm", "bn", "bk", "tm", "tn"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.bm % self.tm or self.bn % self.tn:
            raise ValueError(
                f"bm={self.bm} must be a multiple of tm={self.tm}, and bn={self.bn} of "
                f"tn={self.tn}"
            )
        if self.threads > 1024:
            raise ValueError(f"{self.threads} threads per block; the limit is 1024")
        if (self.bm * self.bk) % self.threads or (self.bk * self.bn) % self.threads:
            raise ValueError(
                f"the {self.bm}×{self.bk} A slice and the {self.bk}×{self.bn} B slice "
                f"must split evenly over the {self.threads} threads"
            )

    @property
    def threads(self) -> int:
        """Threads per block: one per `tm` × `tn` patch of the block's tile."""
        return (self.bm // self.tm) * (self.bn // self.tn)


def make_matmul_blocktiled(shape: BlockTiling) -> Any:
    """Build the register-blocked ("2-D block tiling") matmul for one `BlockTiling`.

    The tiled kernel does two shared-memory reads per multiply-add. Here each thread
    keeps a `tm` × `tn` patch of C in registers and, per step of k, reads `tm` values of
    A and `tn` values of B from shared memory for `tm * tn` multiply-adds: 8 × 8 gives 4
    FMAs per read instead of 1/2.

    Args:
        shape: The tile sizes; see `BlockTiling`.

    Returns:
        A kernel to launch with `shape.threads` threads per block (a 1-D block) over a
        grid of `(ceil(N / bn), ceil(M / bm))` blocks.
    """
    bm, bn, bk, tm, tn, threads = (
        shape.bm,
        shape.bn,
        shape.bk,
        shape.tm,
        shape.tn,
        shape.threads,
    )
    loads_a = bm * bk // threads  # elements of the A slice each thread stages per step
    loads_b = bk * bn // threads

    @cuda.jit
    def matmul_blocktiled(A, B, C):
        """C = A @ B; each thread accumulates a tm × tn patch of C in registers."""
        sA = cuda.shared.array((bk, bm), float32)  # the A slice, stored transposed
        sB = cuda.shared.array((bk, bn), float32)
        a_reg = cuda.local.array(tm, float32)  # constant size and fully unrolled loops:
        b_reg = cuda.local.array(tn, float32)  # the compiler keeps these in registers
        acc = cuda.local.array((tm, tn), float32)
        t = cuda.threadIdx.x
        trow = t // (bn // tn) * tm  # this thread's patch, relative to the block's tile
        tcol = t % (bn // tn) * tn
        row0 = cuda.blockIdx.y * bm
        col0 = cuda.blockIdx.x * bn
        M, K = A.shape
        N = B.shape[1]
        for i in range(tm):
            for j in range(tn):
                acc[i, j] = float32(0)
        for k0 in range(0, K, bk):
            # consecutive threads read consecutive k of a row
            for step in range(loads_a):
                e = step * threads + t
                r, c = e // bk, e % bk
                inside = row0 + r < M and k0 + c < K
                sA[c, r] = A[row0 + r, k0 + c] if inside else float32(0)
            for step in range(loads_b):  # ... and consecutive columns of B
                e = step * threads + t
                r, c = e // bn, e % bn
                inside = k0 + r < K and col0 + c < N
                sB[r, c] = B[k0 + r, col0 + c] if inside else float32(0)
            cuda.syncthreads()
            for k in range(bk):
                for i in range(tm):
                    a_reg[i] = sA[k, trow + i]
                for j in range(tn):
                    b_reg[j] = sB[k, tcol + j]
                for i in range(tm):  # tm * tn multiply-adds from tm + tn shared reads
                    for j in range(tn):
                        acc[i, j] += a_reg[i] * b_reg[j]
            cuda.syncthreads()
        for i in range(tm):
            for j in range(tn):
                if row0 + trow + i < M and col0 + tcol + j < N:
                    C[row0 + trow + i, col0 + tcol + j] = acc[i, j]

    return matmul_blocktiled


#: The GPU configuration of Boehm's 2-D block tiling: 128 × 128 tiles of C per block of
#: 256 threads, each thread an 8 × 8 patch, K staged 8 deep.
BLOCKTILED_GPU = BlockTiling(bm=128, bn=128, bk=8, tm=8, tn=8)
#: The register-blocked kernel in its GPU configuration.
matmul_blocktiled = make_matmul_blocktiled(BLOCKTILED_GPU)
