"""Figures for the attention and GPT chapter (matplotlib)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from zero_to_hero.gpt.attention import score_statistics
from zero_to_hero.gpt.training import EvalRecord, TrainConfig, lr_at

__all__ = [
    "plot_weights",
    "plot_heads",
    "plot_scaling",
    "plot_histories",
    "plot_schedules",
    "plot_ablations",
]


def _label(c: str) -> str:
    return {"\n": "⏎", " ": "␣"}.get(c, c)


def _heatmap(ax, weights: torch.Tensor, text: str | None, title: str) -> None:
    w = weights.detach().cpu().float().numpy()
    ax.imshow(w, cmap="Blues", vmin=0, vmax=max(1e-9, float(w.max())))
    ax.set_title(title, fontsize=9)
    if text is not None:
        ticks = range(len(text))
        labels = [_label(c) for c in text]
        ax.set_xticks(ticks, labels, fontsize=7)
        ax.set_yticks(ticks, labels, fontsize=7)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xlabel("key (looked at)", fontsize=8)
    ax.set_ylabel("query (looking)", fontsize=8)


def plot_weights(
    panels: Mapping[str, torch.Tensor], text: str | None = None, size: float = 3.0
) -> Figure:
    """One heatmap per `(T, T)` weight matrix, side by side; rows are queries, columns
    keys."""
    fig, axes = plt.subplots(
        1, len(panels), figsize=(size * len(panels), size), squeeze=False
    )
    for ax, (title, weights) in zip(axes[0], panels.items()):
        _heatmap(ax, weights, text, title)
    fig.tight_layout()
    return fig


def plot_heads(
    rows: Mapping[str, torch.Tensor],
    text: str | Mapping[str, str] | None = None,
    size: float = 2.4,
) -> Figure:
    """A grid of attention maps: one row per model or layer, each `(n_head, T, T)`;
    `text` labels the positions, one string for all rows or one per row."""
    n_head = max(w.shape[0] for w in rows.values())
    fig, axes = plt.subplots(
        len(rows), n_head, figsize=(size * n_head, size * len(rows)), squeeze=False
    )
    for r, (name, maps) in enumerate(rows.items()):
        for h in range(n_head):
            ax = axes[r][h]
            labels = text.get(name) if isinstance(text, Mapping) else text
            if h < maps.shape[0]:
                _heatmap(ax, maps[h], labels, f"{name}, head {h}")
            else:
                ax.axis("off")
    fig.tight_layout()
    return fig


def plot_scaling(head_sizes: Sequence[int], T: int = 16) -> Figure:
    """How peaked the softmax of random scores is, with and without dividing by
    √head_size."""
    fig, (ax_var, ax_peak) = plt.subplots(1, 2, figsize=(8, 3))
    for scaled, style in ((False, "o-"), (True, "s-")):
        stats = [score_statistics(d, T, scaled=scaled) for d in head_sizes]
        label = "q·k / √head_size" if scaled else "q·k"
        ax_var.plot(head_sizes, [v for v, _ in stats], style, label=label)
        ax_peak.plot(head_sizes, [p for _, p in stats], style, label=label)
    ax_var.set_yscale("log", base=2)
    ax_peak.axhline(1 / T, color="gray", ls=":", label=f"uniform (1/{T})")
    ax_var.set_ylabel("variance of the scores")
    ax_peak.set_ylabel(f"largest softmax weight of {T}")
    for ax in (ax_var, ax_peak):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("head size")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_histories(
    histories: Mapping[str, Sequence[EvalRecord]], what: str = "val_loss"
) -> Figure:
    """Loss against step for several runs (`what`: "val_loss" or "train_loss")."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, history in histories.items():
        ax.plot(
            [r.step for r in history], [getattr(r, what) for r in history], label=name
        )
    ax.set_xlabel("step")
    ax.set_ylabel(what.replace("_", " "))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_schedules(configs: Mapping[str, TrainConfig]) -> Figure:
    """The learning rate of every step, for each training configuration."""
    fig, ax = plt.subplots(figsize=(6, 3))
    for name, tc in configs.items():
        steps = range(tc.max_iters)
        ax.plot(steps, [lr_at(s, tc) for s in steps], label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_ablations(deltas: Mapping[str, float], spread: float) -> Figure:
    """One horizontal bar per ablation: its validation loss minus the baseline's, with
    the band ±`spread` (the seeds' spread) shaded, where a difference is noise; bars
    outside it are orange (worse) or green (better)."""
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(deltas) + 1.0))
    rows = range(len(deltas))
    values = list(deltas.values())
    # worse beyond the noise, better beyond it, inside it
    colors = [
        "#ff5722" if v > spread else "#4caf50" if v < -spread else "#9e9e9e"
        for v in values
    ]
    ax.barh(rows, values, color=colors)
    ax.axvspan(-spread, spread, color="gray", alpha=0.25, label="± the seeds' spread")
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(rows, list(deltas), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("validation loss − the baseline's (nats; right is worse)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
