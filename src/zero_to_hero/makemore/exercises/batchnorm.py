"""Solutions to the exercises of the initialization and BatchNorm page: an MLP that
starts from all zeros, the bias that does nothing before a BatchNorm, and BatchNorm
folded into the Linear layer before it for inference."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from zero_to_hero.makemore.deep import DeepMLP
from zero_to_hero.makemore.layers import BatchNorm1d, Linear, Sequential
from zero_to_hero.makemore.mlp import MLP, MLPConfig
from zero_to_hero.makemore.train import train

__all__ = [
    "zero_init_run",
    "unigram_entropy",
    "bias_gradient_before_batchnorm",
    "fold_batchnorm",
    "fold_all_batchnorms",
]


def zero_init_run(
    X: torch.Tensor, Y: torch.Tensor, steps: int = 2000, lr: float = 1.0
) -> MLP:
    """Train the MLP with every weight and bias initialized to exactly zero.

    With `W1 = 0` every hidden unit outputs `tanh(0) = 0`, so `W2`'s gradient `hᵀ ·
    dlogits` is 0; with `W2 = 0` no gradient reaches the hidden layer or the embedding
    either. Only `b2` learns: the network can only learn how often each character
    occurs, whatever the context. (Random initialization exists to break this symmetry.)
    """
    config = MLPConfig(w1_scale=0.0, b1_scale=0.0, w2_scale=0.0, b2_scale=0.0)
    model = MLP(config, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.C.zero_()
    train(model, X, Y, steps, lr=lr, generator=torch.Generator().manual_seed(0))
    return model


def unigram_entropy(Y: torch.Tensor, vocab_size: int = 27) -> float:
    """The best loss without context: the entropy of the character frequencies
    (nats)."""
    p = torch.bincount(Y, minlength=vocab_size).double() / len(Y)
    p = p[p > 0]
    return -(p * p.log()).sum().item()


def bias_gradient_before_batchnorm(
    X: torch.Tensor, Y: torch.Tensor
) -> tuple[float, float]:
    """The largest gradient of `b1`, and of `W1`, in the BatchNorm MLP that still has
    `b1`.

    BatchNorm subtracts the batch mean of each hidden unit, and adding `b1` moves that
    mean by exactly `b1`: the bias cancels out of the output, so its gradient is zero
    (up to rounding).
    """
    model = MLP(
        MLPConfig(w1_scale=5 / 3, w1_fan_in=True, b1_scale=0.01, batchnorm=True)
    )
    F.cross_entropy(model(X), Y).backward()
    return model.b1.grad.abs().max().item(), model.W1.grad.abs().max().item()


@torch.no_grad()
def fold_batchnorm(linear: Linear, bn: BatchNorm1d) -> Linear:
    """One Linear layer that computes `bn(linear(x))` in evaluation mode.

    In evaluation mode the BatchNorm is a fixed affine map per feature: `gamma · (z −
    mean) / sqrt(var + eps) + beta` with `scale = gamma / sqrt(var + eps)` is `z ·
    scale + (beta − mean · scale)`; folding it into `z = x @ W + b` gives
    `W' = W · scale` (each column scaled) and `b' = (b − mean) · scale + beta`.
    """
    fan_in, fan_out = linear.weight.shape
    scale = bn.gamma / torch.sqrt(bn.running_var + bn.eps)
    folded = Linear(fan_in, fan_out, bias=True)
    folded.weight.copy_(linear.weight * scale)
    bias = linear.bias if linear.bias is not None else torch.zeros(fan_out)
    folded.bias.copy_((bias - bn.running_mean) * scale + bn.beta)
    return folded


def fold_all_batchnorms(model: DeepMLP) -> Sequential:
    """The network for inference: every Linear → BatchNorm1d pair folded into one
    Linear."""
    layers, i = [], 0
    while i < len(model.layers):
        layer = model.layers[i]
        after = model.layers[i + 1] if i + 1 < len(model.layers) else None
        if isinstance(layer, Linear) and isinstance(after, BatchNorm1d):
            layers.append(fold_batchnorm(layer, after))
            i += 2
        else:
            layers.append(layer)
            i += 1
    return Sequential(layers).eval()
