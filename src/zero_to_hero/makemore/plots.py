"""Figures for the makemore chapters (matplotlib; the models do not need it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from zero_to_hero.makemore.layers import Module, Sequential, Tanh
from zero_to_hero.makemore.train import History
from zero_to_hero.vocab import CharVocab

__all__ = [
    "plot_bigram_counts",
    "plot_bigram_training",
    "plot_lr_sweep",
    "plot_embedding",
    "loss_curve",
    "plot_loss_curves",
    "plot_tanh_saturation",
    "plot_histograms",
    "plot_weight_gradients",
    "plot_update_ratios",
    "plot_dlogits",
    "plot_dilated_causal_conv",
    "plot_activation_stds",
]


def plot_bigram_counts(counts: torch.Tensor, vocab: CharVocab) -> Figure:
    """The 27×27 count table as a heatmap, each cell labelled with its pair and its
    count."""
    V = vocab.size
    fig, ax = plt.subplots(figsize=(13, 13))
    ax.imshow(counts.numpy(), cmap="Blues")  # numpy: matplotlib copies it safely
    for i in range(V):
        for j in range(V):
            dark = counts[i, j] > counts.max() * 0.6
            color = "white" if dark else "#555"
            pair = vocab.itos(i) + vocab.itos(j)
            ax.text(j, i, pair, ha="center", va="bottom", color=color, fontsize=7.5)
            ax.text(
                j,
                i,
                str(int(counts[i, j])),
                ha="center",
                va="top",
                color=color,
                fontsize=6,
            )
    ax.set_xticks(range(V), list(vocab.chars))
    ax.set_yticks(range(V), list(vocab.chars))
    ax.set_xlabel("next character")
    ax.set_ylabel("current character")
    ax.tick_params(length=0)
    return fig


def plot_bigram_training(losses: Sequence[float], floor: float, label: str) -> Figure:
    """The neural bigram's loss against the step, with the counts model's loss as a
    line."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(range(len(losses)), losses, label="neural bigram")
    ax.axhline(floor, color="#ff5722", ls="--", label=label)
    ax.set_xlabel("gradient-descent step (full batch)")
    ax.set_ylabel("negative log-likelihood")
    ax.set_ylim(floor - 0.05, min(max(losses), floor + 1.0))
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def plot_lr_sweep(exponents: Sequence[float], losses: Sequence[float]) -> Figure:
    """Minibatch loss while the learning rate grows exponentially, step by step."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(exponents, losses, lw=0.8)
    ax.set_xlabel("log10(learning rate)")
    ax.set_ylabel("minibatch loss")
    ax.grid(alpha=0.3)
    return fig


def plot_embedding(C: torch.Tensor, vocab: CharVocab) -> Figure:
    """A 2-D embedding table: every character at its learned position."""
    if C.ndim != 2 or C.shape[1] != 2:
        raise ValueError(f"expected a (V, 2) embedding, got shape {tuple(C.shape)}")
    C = C.detach().numpy()
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.scatter(C[:, 0], C[:, 1], s=260, color="#c5cae9")
    for i, ch in enumerate(vocab.chars):
        ax.text(C[i, 0], C[i, 1], ch, ha="center", va="center", fontsize=11)
    ax.grid(alpha=0.3)
    return fig


def loss_curve(history: History, window: int = 1000) -> dict[str, list]:
    """A run's curves as the benchmark stores them: the minibatch loss averaged over
    every `window` steps, and the `(step, validation loss)` pairs the run measured."""
    losses = torch.tensor(history.losses)
    n = len(losses) // window * window
    return {
        "window": window,
        "train_loss_per_window": losses[:n].view(-1, window).mean(1).tolist()
        if n
        else [],
        "val": [(step, at["val"]) for step, at in history.evals if "val" in at],
    }


def plot_loss_curves(curves: Mapping[str, Mapping[str, Sequence]]) -> Figure:
    """Training loss (averaged per window of steps) and validation loss against the
    step, one colour per run; each curve as `loss_curve` returns it. The vertical axis
    shows the lowest unit of loss, so that a run that starts very high does not flatten
    the others."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    values = [
        v
        for c in curves.values()
        for v in [*c["train_loss_per_window"], *(y for _, y in c["val"])]
    ]
    for k, (label, curve) in enumerate(curves.items()):
        color, window = f"C{k}", curve["window"]
        train = curve["train_loss_per_window"]
        steps = [window * (i + 0.5) for i in range(len(train))]
        ax.plot(steps, train, color=color, lw=1, label=f"{label}: train (minibatches)")
        if curve["val"]:
            xs, ys = zip(*curve["val"])
            ax.plot(
                xs, ys, "o--", color=color, ms=3, lw=1, label=f"{label}: validation"
            )
    if values and max(values) > min(values) + 1.0:
        ax.set_ylim(min(values) - 0.05, min(values) + 1.0)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def plot_tanh_saturation(
    h: torch.Tensor, hpreact: torch.Tensor, threshold: float = 0.99
) -> Figure:
    """Where tanh is flat: histograms of the pre-activations and activations, and a map
    of the units (columns) × examples (rows) with |tanh| > `threshold` in white."""
    h, hpreact = h.detach(), hpreact.detach()
    fig = plt.figure(figsize=(9, 5.2))
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.2])
    ax_pre, ax_h = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    ax_pre.hist(hpreact.flatten().tolist(), bins=50, color="#7986cb")
    ax_pre.set_title("pre-activations", fontsize=10)
    ax_h.hist(h.flatten().tolist(), bins=50, color="#ff8a65")
    ax_h.set_title("tanh outputs", fontsize=10)
    ax_map = fig.add_subplot(grid[1, :])
    saturated = (h.detach().abs() > threshold).numpy()
    ax_map.imshow(saturated, cmap="gray", interpolation="nearest", aspect="auto")
    ax_map.set_xlabel(f"hidden unit (white: |tanh| > {threshold})")
    ax_map.set_ylabel("example")
    fig.tight_layout()
    return fig


def plot_histograms(
    model: Sequential, what: str = "activations", kind: type[Module] = Tanh
) -> Figure:
    """Histograms of every `kind` layer's output (`what="activations"`) or of the
    gradient at it (`"gradients"`), one line per layer, as after
    `diagnostics.forward_backward`."""
    if what not in ("activations", "gradients"):
        raise ValueError(f"what must be 'activations' or 'gradients', got {what!r}")
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for i, layer in enumerate(model.layers[:-1]):
        if isinstance(layer, kind):
            t = layer.out if what == "activations" else layer.out.grad
            t = t.detach()
            hist = torch.histogram(t.flatten(), bins=60, density=True)
            centers = (hist.bin_edges[:-1] + hist.bin_edges[1:]) / 2
            ax.plot(
                centers, hist.hist, label=f"layer {i} ({type(layer).__name__})", lw=1.2
            )
    ax.set_xlabel("activation value" if what == "activations" else "gradient value")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def plot_weight_gradients(model: Module) -> Figure:
    """Histogram of the gradient of every weight matrix (2-D parameter), one line
    each."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for name, p in model.named_parameters():
        if p.ndim == 2 and p.grad is not None:
            hist = torch.histogram(p.grad.flatten(), bins=60, density=True)
            centers = (hist.bin_edges[:-1] + hist.bin_edges[1:]) / 2
            ax.plot(centers, hist.hist, lw=1.2, label=f"{name} {tuple(p.shape)}")
    ax.set_xlabel("gradient value")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def plot_update_ratios(model: Module, history: History) -> Figure:
    """log10(update / data) of every weight matrix over training, with −3 marked."""
    if not history.update_ratios:
        raise ValueError(
            "no update ratios recorded: train with track_update_ratios=True"
        )
    ratios = torch.tensor(history.update_ratios)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for k, (name, p) in enumerate(model.named_parameters()):
        if p.ndim == 2:
            ax.plot(ratios[:, k], lw=0.8, label=f"{name} {tuple(p.shape)}")
    ax.axhline(
        -3, color="black", ls="--", lw=1, label="−3: updates ≈ 1/1000 of the data"
    )
    ax.set_xlabel("step")
    ax.set_ylabel("log10(update std / data std)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def plot_dlogits(dlogits: torch.Tensor, Y: torch.Tensor) -> Figure:
    """The gradient at the logits of a batch, one row per example: negative (blue) at
    the target, `p - 1`, so a step raises that logit; positive (red) elsewhere, the
    probability, so a step lowers those."""
    # undo the mean's 1/n, for the colours
    d = (dlogits.detach() * dlogits.shape[0]).numpy()
    fig, ax = plt.subplots(figsize=(6.5, 5))
    image = ax.imshow(
        d, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest"
    )
    ax.scatter(
        Y.tolist(), range(len(Y)), marker="o", s=12, facecolors="none", edgecolors="k"
    )
    ax.set_xlabel("character (circle: the target)")
    ax.set_ylabel("example of the batch")
    fig.colorbar(image, ax=ax, label="n · dlogits = p − one-hot")
    return fig


def plot_dilated_causal_conv(
    merges: Sequence[int] = (2, 2, 2), length: int = 16
) -> Figure:
    """A stack of dilated causal convolutions, one row per level: each node joins `k`
    nodes of the row below, spaced by the dilation (the product of the merges below it).
    Grey: the convolution computed at every position; colour: the tree behind the last
    output, which is what the hierarchical model computes for one window."""
    levels = len(merges)
    fig, ax = plt.subplots(
        figsize=(min(12, 0.55 * length + 2), 1.1 * (levels + 1) + 0.6)
    )
    highlight = {
        (levels, length - 1)
    }  # (level, position) of the nodes in the last tree
    dilation = [1]
    for k in merges:
        dilation.append(dilation[-1] * k)
    for level in range(levels, 0, -1):  # walk down from the output to find its tree
        k, d = merges[level - 1], dilation[level - 1]
        for _, t in [n for n in highlight if n[0] == level]:
            highlight |= {(level - 1, t - j * d) for j in range(k)}
    first = [0]  # the first position of each level that has a full window below it
    for level, k in enumerate(merges, start=1):
        first.append(first[-1] + (k - 1) * dilation[level - 1])
    for level in range(1, levels + 1):
        k, d = merges[level - 1], dilation[level - 1]
        for t in range(first[level], length):
            for j in range(k):
                lit = (level, t) in highlight
                ax.plot(
                    [t - j * d, t],
                    [level - 1, level],
                    color="#ff5722" if lit else "#cfd8dc",
                    lw=1.8 if lit else 0.8,
                    zorder=2 if lit else 1,
                )
    for level in range(levels + 1):
        for t in range(first[level], length):
            lit = (level, t) in highlight
            ax.scatter(t, level, s=70, zorder=3, color="#3f51b5" if lit else "#b0bec5")
        label = (
            "input" if level == 0 else f"level {level}, dilation {dilation[level - 1]}"
        )
        ax.text(-0.8, level, label, ha="right", va="center", fontsize=9)
    ax.set_xlim(-0.5 - 0.4 * length / 2, length - 0.5)
    ax.set_ylim(-0.6, levels + 0.6)
    ax.set_xlabel("position in the sequence (time →)")
    ax.set_xticks(range(0, length, 2 if length > 12 else 1))
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return fig


def plot_activation_stds(stds: Mapping[str, Mapping[str, Sequence[float]]]) -> Figure:
    """The standard deviation of each layer's output through a deep stack, one panel per
    nonlinearity (`stds[nonlinearity][scheme]`), one line per initialization scheme."""
    fig, axes = plt.subplots(1, len(stds), figsize=(10, 3.8), sharey=True)
    for ax, (nonlinearity, by_scheme) in zip(axes, stds.items()):
        for scheme, values in by_scheme.items():
            ax.semilogy(range(1, len(values) + 1), values, lw=1.4, label=scheme)
        ax.set_title(nonlinearity, fontsize=10)
        ax.set_xlabel("layer")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("std of the layer's output")
    axes[-1].legend(fontsize=8)
    fig.tight_layout()
    return fig
