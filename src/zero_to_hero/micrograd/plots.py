"""Figures for the micrograd chapter (matplotlib; not needed by the engine itself)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from zero_to_hero.micrograd.demo import TrainRecord
from zero_to_hero.micrograd.nn import Module

__all__ = ["plot_tangent", "plot_moons", "plot_decision_boundary", "plot_history"]

_COLORS = {-1: "#3f51b5", 1: "#ff5722"}


def plot_tangent(
    f: Callable[[float], float], x0: float, slope: float, lo: float, hi: float
) -> Figure:
    """`f` on [lo, hi] with the straight line of the given slope touching it at x0."""
    n = 200
    xs = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(xs, [f(x) for x in xs], label="f(x)")
    ax.plot(
        xs, [f(x0) + slope * (x - x0) for x in xs], "--", label=f"tangent at x = {x0:g}"
    )
    ax.plot([x0], [f(x0)], "o", color="black")
    ax.set_xlabel("x")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def _scatter(ax, X: Sequence[Sequence[float]], y: Sequence[int]) -> None:
    for label in (-1, 1):
        pts = [x for x, yi in zip(X, y) if yi == label]
        ax.scatter(
            [p[0] for p in pts],
            [p[1] for p in pts],
            s=18,
            c=_COLORS[label],
            edgecolors="white",
            linewidths=0.5,
            label=f"y = {label:+d}",
        )


def plot_moons(X: Sequence[Sequence[float]], y: Sequence[int]) -> Figure:
    """The two-moons data, coloured by label."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    _scatter(ax, X, y)
    ax.legend()
    ax.set_aspect("equal")
    return fig


def plot_decision_boundary(
    model: Module, X: Sequence[Sequence[float]], y: Sequence[int], resolution: int = 60
) -> Figure:
    """The sign of the model's score over the plane, with the data on top."""
    xs = [p[0] for p in X]
    ys = [p[1] for p in X]
    x_lo, x_hi = min(xs) - 0.5, max(xs) + 0.5
    y_lo, y_hi = min(ys) - 0.5, max(ys) + 0.5
    gx = [x_lo + (x_hi - x_lo) * i / (resolution - 1) for i in range(resolution)]
    gy = [y_lo + (y_hi - y_lo) * j / (resolution - 1) for j in range(resolution)]
    # One forward pass per grid point; plain floats in, so no gradients are tracked for
    # inputs.
    score = [[1.0 if model([a, b]).data > 0 else -1.0 for a in gx] for b in gy]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.contourf(
        gx, gy, score, levels=[-2, 0, 2], colors=[_COLORS[-1], _COLORS[1]], alpha=0.25
    )
    _scatter(ax, X, y)
    ax.set_aspect("equal")
    ax.legend(loc="upper right")
    return fig


def plot_history(history: Sequence[TrainRecord]) -> Figure:
    """Loss (log scale) and accuracy against the training step."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 3))
    steps = [r.step for r in history]
    ax_loss.semilogy(steps, [r.loss for r in history])
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    ax_acc.plot(steps, [100 * r.accuracy for r in history], color="#ff5722")
    ax_acc.set_xlabel("step")
    ax_acc.set_ylabel("accuracy (%)")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
