"""Figures for the PyTorch-basics chapter (matplotlib)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from torch import nn

from zero_to_hero.modes import eval_mode
from zero_to_hero.torch_basics.training import EpochRecord, predict

__all__ = [
    "plot_decision_regions",
    "plot_histories",
    "plot_bce_saturation",
    "plot_losses",
]

_COLORS = ["#3f51b5", "#ff5722", "#009688", "#9c27b0", "#795548"]


@torch.no_grad()
def plot_decision_regions(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, resolution: int = 150
) -> Figure:
    """The class the model predicts over the plane, with the points `(X, y)` on top.

    Works for a binary model (one logit per example) and a C-class one (C logits).
    """
    device = next(model.parameters()).device
    lo, hi = X.min(dim=0).values - 0.3, X.max(dim=0).values + 0.3
    gx = torch.linspace(lo[0].item(), hi[0].item(), resolution)
    gy = torch.linspace(lo[1].item(), hi[1].item(), resolution)
    grid = torch.cartesian_prod(gy, gx)[:, [1, 0]]  # rows of (x, y), x varying fastest
    with eval_mode(model):
        classes = predict(model(grid.to(device))).cpu().view(resolution, resolution)
    n_classes = int(max(classes.max().item(), y.max().item())) + 1
    cmap = ListedColormap(_COLORS[:n_classes])
    fig, ax = plt.subplots(figsize=(4.6, 4))
    levels = (torch.arange(n_classes + 1) - 0.5).numpy()
    ax.contourf(
        gx.numpy(), gy.numpy(), classes.numpy(), levels=levels, cmap=cmap, alpha=0.25
    )
    for c in range(n_classes):
        pts = X[y.long() == c].cpu().numpy()
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=12,
            c=_COLORS[c],
            edgecolors="white",
            linewidths=0.4,
            label=f"class {c}",
        )
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    return fig


def plot_histories(histories: Mapping[str, Sequence[EpochRecord]]) -> Figure:
    """Training loss (log scale) and test accuracy per epoch, one line per named run."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 3))
    for (name, history), color in zip(histories.items(), _COLORS):
        epochs = [r.epoch + 1 for r in history]
        ax_loss.semilogy(
            epochs, [r.train_loss for r in history], color=color, label=name
        )
        ax_acc.plot(
            epochs, [100 * r.test_accuracy for r in history], color=color, label=name
        )
    ax_loss.set_ylabel("training loss")
    ax_acc.set_ylabel("test accuracy (%)")
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_bce_saturation(high: float = 40.0, n: int = 400) -> Figure:
    """Loss and gradient for an example of class 0 as its logit grows, ever more
    confidently wrong: sigmoid then `BCELoss`, against `BCEWithLogitsLoss`, in
    float32."""
    z = torch.linspace(0.0, high, n, requires_grad=True)
    target = torch.zeros(n)
    curves = {
        "BCEWithLogitsLoss(z, 0)": F.binary_cross_entropy_with_logits(
            z, target, reduction="none"
        ),
        "BCELoss(sigmoid(z), 0)": F.binary_cross_entropy(
            torch.sigmoid(z), target, reduction="none"
        ),
    }
    fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(8, 3))
    for (name, loss), color, style in zip(curves.items(), _COLORS, ("-", "--")):
        (grad,) = torch.autograd.grad(loss.sum(), z)
        ax_loss.plot(z.detach(), loss.detach(), style, color=color, label=name)
        ax_grad.plot(z.detach(), grad, style, color=color, label=name)
    ax_loss.set_ylabel("loss")
    ax_grad.set_ylabel("d loss / d z")
    for ax in (ax_loss, ax_grad):
        ax.set_xlabel("logit z (the true class is 0)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_losses(runs: Mapping[str, Sequence[float]], ylabel: str = "loss") -> Figure:
    """One line per named run of per-step losses, log scale."""
    fig, ax = plt.subplots(figsize=(5.5, 3))
    for (name, losses), color in zip(runs.items(), _COLORS):
        ax.semilogy(range(1, len(losses) + 1), losses, color=color, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
