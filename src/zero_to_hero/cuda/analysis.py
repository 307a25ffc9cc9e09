"""Back-of-the-envelope performance models: memory segments per warp, arithmetic
intensity and the roofline. Pure arithmetic, no GPU: the pages use these to predict, the
benchmark to compare.
"""

from __future__ import annotations

__all__ = [
    "warp_segments",
    "intensity_vec_add",
    "intensity_matmul",
    "roofline",
    "FLOAT32_BYTES",
    "SEGMENT_BYTES",
]

#: Bytes per float32.
FLOAT32_BYTES = 4
#: Global memory is read and written in aligned 32-byte sectors, four to a 128-byte
#: cache line; a warp whose 32 floats fall in one 128-byte segment is served by a single
#: transaction.
SEGMENT_BYTES = 128


def warp_segments(
    kernel: str, K: int, N: int, block: tuple[int, int] = (16, 16), k: int = 0
) -> dict[str, int]:
    """How many 128-byte memory segments the first warp of block (0, 0) touches in step
    `k` of a naive matmul kernel, for each matrix (row-major, float32, A is M × K and B
    is K × N).

    Args:
        kernel: `"naive_rows"` (x picks the row) or `"naive"` (x picks the column).
        K: Columns of A.
        N: Columns of B and C.
        block: Threads per block, (x, y).
        k: The step of the inner loop.

    Returns:
        Segments touched when reading `A[row, k]` and `B[k, col]`, and writing `C[row,
        col]`.

    Example:
        >>> warp_segments("naive", K=1024, N=1024)  # 2 rows of 16 neighbouring columns
        {'A': 2, 'B': 1, 'C': 2}
        >>> warp_segments("naive_rows", K=1024, N=1024)  # 16 rows, 4 KB apart
        {'A': 16, 'B': 1, 'C': 16}
    """
    if kernel not in ("naive_rows", "naive"):
        raise ValueError(f"kernel must be 'naive_rows' or 'naive', got {kernel!r}")
    bx, by = block
    if bx * by < 32:
        raise ValueError(f"a block of {bx}×{by} threads is smaller than a warp")
    touched: dict[str, set[int]] = {"A": set(), "B": set(), "C": set()}
    for thread in range(32):  # a warp: the first 32 threads, x varying fastest
        x, y = thread % bx, thread // bx
        row, col = (x, y) if kernel == "naive_rows" else (y, x)
        for name, index in [
            ("A", row * K + k),
            ("B", k * N + col),
            ("C", row * N + col),
        ]:
            touched[name].add(index * FLOAT32_BYTES // SEGMENT_BYTES)
    return {name: len(segments) for name, segments in touched.items()}


def intensity_vec_add() -> float:
    """FLOP per byte of `out = a + b`: one addition per 3 floats moved (2 read, 1
    written)."""
    return 1 / (3 * FLOAT32_BYTES)


def intensity_matmul(tile_rows: int, tile_cols: int) -> float:
    """FLOP per byte a matmul block loads from global memory when it computes a
    `tile_rows` × `tile_cols` tile of C, as if every load went to DRAM (no cache).

    Each step of k loads `tile_rows` values of A and `tile_cols` of B, and does `2 *
    tile_rows * tile_cols` FLOP (a multiply and an add per element of the tile). One
    thread per element with no reuse is the 1 × 1 case.

    Example:
        >>> intensity_matmul(1, 1), intensity_matmul(16, 16), intensity_matmul(128, 128)
        (0.25, 4.0, 32.0)
    """
    return 2 * tile_rows * tile_cols / ((tile_rows + tile_cols) * FLOAT32_BYTES)


def roofline(intensity: float, bandwidth: float, peak: float) -> float:
    """The most FLOP/s a kernel of this arithmetic intensity can reach: limited by
    memory (bandwidth × intensity) below the ridge point, by the arithmetic units (peak)
    above it.

    Args:
        intensity: FLOP per byte moved.
        bandwidth: Bytes per second of memory.
        peak: FLOP per second of the arithmetic units.

    Example:
        >>> roofline(0.25, bandwidth=3.35e12, peak=67e12) / 1e12  # TFLOP/s
        0.8375
    """
    if intensity <= 0 or bandwidth <= 0 or peak <= 0:
        raise ValueError("intensity, bandwidth and peak must be positive")
    return min(peak, bandwidth * intensity)
