"""Look inside a network: the statistics the initialization chapter watches.

- **Activations** of each tanh layer: mean, standard deviation, and the share of
  *saturated* units (|t| > 0.97), where tanh is flat and passes almost no gradient back.
- **Gradients** flowing into each tanh layer's output: they should have a similar spread
  in every layer, neither shrinking nor growing with depth.
- **Weights**: the spread of each weight matrix's gradient relative to the weights
  themselves.
- **Updates** during training: `lr · grad` relative to the parameter, on a log10 scale.
  Around −3 (an update changes a parameter by a thousandth) is a healthy rate of
  learning.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from zero_to_hero.makemore.layers import Module, Sequential, Tanh

__all__ = [
    "SATURATION",
    "LayerStats",
    "forward_backward",
    "saturation",
    "activation_stats",
    "gradient_stats",
    "WeightStats",
    "weight_stats",
]

#: |tanh| above this counts as saturated: the local gradient 1 − t² is below 0.06.
SATURATION = 0.97


def saturation(t: torch.Tensor, threshold: float = SATURATION) -> float:
    """The fraction of entries of a tanh output `t` with |t| > `threshold`."""
    return (t.abs() > threshold).float().mean().item()


def forward_backward(model: Sequential, X: torch.Tensor, Y: torch.Tensor) -> float:
    """One training-mode forward and backward pass on a batch, keeping every layer's
    output *and* the gradient of the loss with respect to it (`layer.out.grad`).

    Autograd normally frees the gradients of intermediate tensors; `retain_grad()` asks
    it to keep them, which is what the gradient histograms need. Parameters' gradients
    are replaced, not accumulated.
    """
    model.train()
    logits = model(X)
    for layer in model.layers:
        layer.out.retain_grad()
    loss = F.cross_entropy(logits, Y)
    for p in model.parameters():
        p.grad = None
    loss.backward()
    return loss.item()


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one layer's output (or of the gradient at it)."""

    index: int  # position in the Sequential
    name: str  # e.g. "Tanh"
    mean: float
    std: float
    saturated: float  # fraction of |t| > SATURATION (activations only; 0 for gradients)


def _layers_of(model: Sequential, kind: type[Module]) -> list[tuple[int, Module]]:
    # The output layer is left out, as in the lecture: its statistics mean something
    # else.
    return [
        (i, layer)
        for i, layer in enumerate(model.layers[:-1])
        if isinstance(layer, kind)
    ]


def activation_stats(model: Sequential, kind: type[Module] = Tanh) -> list[LayerStats]:
    """Mean, std and saturation of the last outputs of every `kind` layer (after a
    forward)."""
    stats = []
    for i, layer in _layers_of(model, kind):
        t = layer.out.detach()
        sat = saturation(t) if kind is Tanh else 0.0
        stats.append(
            LayerStats(i, type(layer).__name__, t.mean().item(), t.std().item(), sat)
        )
    return stats


def gradient_stats(model: Sequential, kind: type[Module] = Tanh) -> list[LayerStats]:
    """Mean and std of the loss gradient at every `kind` layer's output (after
    `forward_backward`)."""
    stats = []
    for i, layer in _layers_of(model, kind):
        if layer.out is None or not layer.out.retains_grad or layer.out.grad is None:
            raise ValueError(
                "no gradient kept at the layer outputs: run forward_backward first"
            )
        grad = layer.out.grad
        stats.append(
            LayerStats(
                i, type(layer).__name__, grad.mean().item(), grad.std().item(), 0.0
            )
        )
    return stats


@dataclass(frozen=True)
class WeightStats:
    """A weight matrix and its gradient, after a backward pass."""

    name: str
    shape: tuple[int, ...]
    mean: float  # of the gradient
    std: float  # of the gradient
    grad_to_data: float  # std(grad) / std(weight)


def weight_stats(model: Module) -> list[WeightStats]:
    """Gradient statistics of every 2-D parameter (the weight matrices and the
    embedding)."""
    stats = []
    for name, p in model.named_parameters():
        if p.ndim == 2:
            if p.grad is None:
                raise ValueError(f"{name} has no gradient: run a backward pass first")
            g = p.grad
            stats.append(
                WeightStats(
                    name,
                    tuple(p.shape),
                    g.mean().item(),
                    g.std().item(),
                    (g.std() / p.std()).item(),
                )
            )
    return stats
