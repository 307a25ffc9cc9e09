"""Figures for the CUDA pages: thread indexing, a warp's memory accesses, the roofline
and the matmul ladder. Each function returns a matplotlib Figure (show it with
`zero_to_hero.pages.figure`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from zero_to_hero.cuda.analysis import FLOAT32_BYTES, SEGMENT_BYTES, roofline

__all__ = [
    "plot_thread_grid",
    "plot_matrix_grid",
    "plot_warp_accesses",
    "plot_roofline",
    "plot_ladder",
]

_INSIDE, _OUTSIDE, _HIGHLIGHT = "#c5cae9", "#eeeeee", "#ff8a65"


def plot_thread_grid(n: int = 27, threads_per_block: int = 8) -> Figure:
    """A 1-D grid: blocks of threads, each thread's global index, and the threads the
    bounds guard idles because the last block sticks out past `n`."""
    blocks = -(-n // threads_per_block)
    fig, ax = plt.subplots(
        figsize=(min(11, 0.33 * blocks * threads_per_block + 1.5), 2.3)
    )
    for b in range(blocks):
        x0 = b * (threads_per_block + 0.6)
        ax.add_patch(
            Rectangle(
                (x0 - 0.15, -0.35), threads_per_block + 0.3, 1.9, fill=False, lw=1.2
            )
        )
        ax.text(
            x0 + threads_per_block / 2,
            1.3,
            f"blockIdx.x = {b}",
            ha="center",
            fontsize=9,
        )
        for t in range(threads_per_block):
            i = b * threads_per_block + t
            color = _INSIDE if i < n else _OUTSIDE
            ax.add_patch(Rectangle((x0 + t, 0), 0.9, 0.9, color=color))
            ax.text(x0 + t + 0.45, 0.45, str(i), ha="center", va="center", fontsize=8)
            if b == 0:
                ax.text(
                    x0 + t + 0.45,
                    -0.2,
                    str(t),
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="0.4",
                )
    ax.text(-0.2, -0.2, "threadIdx.x", ha="right", va="center", fontsize=7, color="0.4")
    ax.set_xlim(-1.8, blocks * (threads_per_block + 0.6))
    ax.set_ylim(-0.5, 1.7)
    ax.axis("off")
    ax.set_title(
        f"n = {n}, {threads_per_block} threads per block, {blocks} blocks: "
        "i = blockIdx.x × blockDim.x + threadIdx.x; grey threads fail `i < n` and do "
        "nothing",
        fontsize=9,
    )
    return fig


def plot_matrix_grid(
    rows: int = 11, cols: int = 13, block: int = 4, pick: tuple[int, int] = (6, 9)
) -> Figure:
    """A 2-D grid over a `rows` × `cols` matrix: x walks the columns, y the rows; one
    thread (`pick` = (row, col)) is traced back to its block and thread indices."""
    gx, gy = -(-cols // block), -(-rows // block)
    fig, ax = plt.subplots(figsize=(6.5, 5.2))
    for r in range(gy * block):
        for c in range(gx * block):
            color = _INSIDE if r < rows and c < cols else _OUTSIDE
            if (r, c) == pick:
                color = _HIGHLIGHT
            ax.add_patch(Rectangle((c, r), 0.92, 0.92, color=color))
    for by in range(gy):
        for bx in range(gx):
            ax.add_patch(
                Rectangle(
                    (bx * block - 0.04, by * block - 0.04),
                    block,
                    block,
                    fill=False,
                    lw=1.4,
                )
            )
            ax.text(
                bx * block + block / 2,
                by * block - 0.25,
                f"block ({bx}, {by})",
                ha="center",
                fontsize=7,
            )
    r, c = pick
    ax.annotate(
        f"row = blockIdx.y × {block} + threadIdx.y = {r // block} × {block} + "
        f"{r % block} = {r}\n"
        f"col = blockIdx.x × {block} + threadIdx.x = {c // block} × {block} + "
        f"{c % block} = {c}",
        xy=(c + 0.45, r + 0.45),
        xytext=(0.2, gy * block + 1.6),
        fontsize=8,
        arrowprops={"arrowstyle": "->", "lw": 0.8},
    )
    ax.set_xlim(-0.3, gx * block + 0.2)
    ax.set_ylim(gy * block + 2.6, -0.8)  # row 0 at the top, like a matrix
    ax.set_aspect("equal")
    ax.set_xlabel("x → columns")
    ax.set_ylabel("y → rows")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(
        f"A {rows} × {cols} matrix, {block} × {block} threads per block, {gx} × {gy} "
        "blocks",
        fontsize=9,
    )
    return fig


def plot_warp_accesses(
    K: int = 64, N: int = 64, block: tuple[int, int] = (16, 16)
) -> Figure:
    """Where in memory one warp's 32 reads of A land at one step of the inner loop, for
    the two naive mappings; each band is a 128-byte segment (one memory transaction)."""
    bx, _ = block
    fig, axes = plt.subplots(2, 1, figsize=(8.5, 3.4), sharex=True)
    for ax, kernel in zip(axes, ["naive_rows", "naive"]):
        offsets = []
        for thread in range(32):
            x, y = thread % bx, thread // bx
            row = x if kernel == "naive_rows" else y
            offsets.append(row * K * FLOAT32_BYTES)  # A[row, 0]
        segments = sorted({o // SEGMENT_BYTES for o in offsets})
        for s in segments:
            ax.axvspan(
                s * SEGMENT_BYTES,
                (s + 1) * SEGMENT_BYTES,
                color=_HIGHLIGHT,
                alpha=0.35,
                lw=0,
            )
        ax.plot(offsets, [0] * len(offsets), "|", color="k", markersize=14)
        ax.set_yticks([])
        mapping = "x → row" if kernel == "naive_rows" else "x → column"
        ax.set_title(
            f"{kernel} ({mapping}): the warp reads {len(set(offsets))} different A "
            f"values in {len(segments)} segments",
            fontsize=9,
        )
    axes[-1].set_xlabel(
        f"byte offset of A[row, 0] in memory (A is row-major, {K} floats per row)"
    )
    fig.tight_layout()
    return fig


def plot_roofline(
    machines: Mapping[str, tuple[float, float]],
    kernels: Mapping[str, float],
    measured: Mapping[str, tuple[float, float]] | None = None,
) -> Figure:
    """The roofline: attainable FLOP/s against arithmetic intensity, for each machine.

    Args:
        machines: name -> (bandwidth in bytes/s, peak FLOP/s).
        kernels: name -> arithmetic intensity (FLOP per byte); drawn as vertical lines.
        measured: name -> (intensity, measured FLOP/s), drawn as points.
    """
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    x = np.logspace(-2, 3, 300)
    for name, (bandwidth, peak) in machines.items():
        ax.plot(x, [roofline(i, bandwidth, peak) / 1e12 for i in x], label=name)
    for name, intensity in kernels.items():
        ax.axvline(intensity, color="0.6", ls=":", lw=1)
        ax.text(
            intensity * 1.08,
            0.012,
            name,
            rotation=90,
            fontsize=8,
            color="0.3",
            va="bottom",
        )
    for name, (intensity, flops) in (measured or {}).items():
        ax.plot([intensity], [flops / 1e12], "o", color="k")
        ax.annotate(
            name,
            (intensity, flops / 1e12),
            textcoords="offset points",
            xytext=(5, -10),
            fontsize=8,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP per byte of DRAM traffic)")
    ax.set_ylabel("attainable TFLOP/s (fp32)")
    ax.set_ylim(0.01, 200)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def plot_ladder(
    series: Mapping[str, Mapping[str, float]], ylabel: str = "% of cuBLAS (fp32)"
) -> Figure:
    """Grouped bars: for each series (a GPU, a source), each kernel's share of cuBLAS.

    Args:
        series: series name -> kernel name -> value; kernels missing from a series are
            skipped.
        ylabel: The y-axis label.
    """
    kernels: Sequence[str] = list(dict.fromkeys(k for s in series.values() for k in s))
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / max(1, len(series))
    for j, (name, values) in enumerate(series.items()):
        xs = [i + j * width for i, k in enumerate(kernels) if k in values]
        ys = [values[k] for k in kernels if k in values]
        bars = ax.bar(xs, ys, width=width, label=name)
        ax.bar_label(bars, fmt="%.3g", fontsize=7, padding=1)
    ax.set_xticks(
        [i + width * (len(series) - 1) / 2 for i in range(len(kernels))],
        kernels,
        fontsize=8,
    )
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    return fig
