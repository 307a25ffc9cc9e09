"""Back-of-the-envelope performance models: memory segments per warp, arithmetic
intensity and the roofline. Pure arithmetic, no GPU: the pages use these to predict, the
benchmark to compare.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "warp_segments",
    "intensity_vec_add",
    "intensity_matmul",
    "roofline",
    "attention_floats_per_token",
    "BlockOp",
    "transformer_block_ops",
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


def attention_floats_per_token(
    T: int, D: int, tile: int, causal: bool = True
) -> dict[str, float]:
    """Floats one head's attention moves to or from main memory per token (query), by
    the naive and the fused route, counting every load as a trip to DRAM.

    * **naive**: Q Kᵀ writes the T × T scores, the softmax reads them and writes the
      probabilities, P V reads those: 4 T floats per query row, plus its rows of Q, K,
      V and the output (4 D). The causal mask saves nothing: the matrices are full.
    * **fused**: each block of `tile` queries reads its queries and writes its outputs
      once (2 D per token) and reads K and V for every key it needs: all T, or with the
      causal mask only the keys up to its last query.
    * **fused, K and V cached**: the same kernel if the re-reads of K and V are served
      by the L2 cache (one head's K and V are 2 T D floats): 4 D per token.

    Example:
        >>> attention_floats_per_token(T=8, D=2, tile=4, causal=False)
        {'naive': 40.0, 'fused': 12.0, 'fused, K and V cached': 8.0}
    """
    naive = 4 * T + 4 * D
    blocks = -(-T // tile)  # ceil
    keys = sum(min(T, (b + 1) * tile) if causal else T for b in range(blocks))
    # each block reads `keys` rows of K and of V, shared by its `tile` queries
    fused = 2 * D + 2 * D * keys / T
    return {
        "naive": float(naive),
        "fused": float(fused),
        "fused, K and V cached": float(4 * D),
    }


@dataclass(frozen=True)
class BlockOp:
    """One operation of a transformer block, per token, in the forward pass.

    Attributes:
        name: What it is.
        kind: "matmul", "attention", "softmax", "layernorm" or "elementwise".
        flop: Floating-point operations per token.
        bytes: float32 activations it must read and write per token, at least
            (weights are read once per batch and shared by its tokens: left out).
    """

    name: str
    kind: str
    flop: float
    bytes: float

    @property
    def intensity(self) -> float:
        """FLOP per byte."""
        return self.flop / self.bytes


def transformer_block_ops(n_embd: int, n_head: int, T: int) -> list[BlockOp]:
    """The forward pass of one pre-LayerNorm GPT block (as GPT-2's), op by op, for a
    token at the middle of a causal context of `T` (it attends to T / 2 keys on
    average), with the attention computed naively (scores in memory).

    Counts: a matmul of a C-vector by a C × C' matrix is 2 C C' FLOP; a LayerNorm about
    8 C (mean, deviations, variance, scale and shift); the softmax about 5 per score
    (maximum, subtract, exp, sum, divide); GELU and the residual adds are left to
    "elementwise" (about 10 FLOP per channel of the MLP's hidden layer for GELU's tanh
    form).
    """
    C, H, f = n_embd, n_head, FLOAT32_BYTES
    keys = T / 2  # a causal context, on average
    return [
        BlockOp("LayerNorm 1", "layernorm", 8 * C, f * 2 * C),
        BlockOp("Q, K, V projection", "matmul", 2 * C * 3 * C, f * (C + 3 * C)),
        BlockOp("scores Q Kᵀ", "attention", 2 * keys * C, f * (2 * C + H * T)),
        BlockOp("softmax (and mask)", "softmax", 5 * H * keys, f * 2 * H * T),
        BlockOp("weights × V", "attention", 2 * keys * C, f * (H * T + 2 * C)),
        BlockOp("output projection", "matmul", 2 * C * C, f * 2 * C),
        BlockOp("residual add", "elementwise", C, f * 3 * C),
        BlockOp("LayerNorm 2", "layernorm", 8 * C, f * 2 * C),
        BlockOp("MLP up (C → 4C)", "matmul", 2 * C * 4 * C, f * 5 * C),
        BlockOp("GELU", "elementwise", 10 * 4 * C, f * 8 * C),
        BlockOp("MLP down (4C → C)", "matmul", 2 * 4 * C * C, f * 5 * C),
        BlockOp("residual add", "elementwise", C, f * 3 * C),
    ]
