"""Solutions to the exercises of the manual backprop page: a finite-difference check,
the embedding's gradient as a matrix product, label smoothing's fused gradient, and the
gradient of the bias before a BatchNorm."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from zero_to_hero.makemore.backprop import (
    BackpropMLP,
    backward_steps,
    cross_entropy_backward,
    forward_steps,
)

__all__ = [
    "finite_difference_check",
    "one_hot_embedding_backward",
    "label_smoothing_backward",
    "useless_bias_gradient",
]


def finite_difference_check(
    entries: Sequence[tuple[int, int]], h: float = 1e-6, seed: int = 0
) -> list[tuple[float, float]]:
    """For each `(row, column)` of `W1`: the central difference `(L(w + h) − L(w − h)) /
    2h` and the hand-written gradient, for the manual-backprop network in float64."""
    g = torch.Generator().manual_seed(seed)
    model = BackpropMLP(generator=g, bn_generator=g)
    for p in model.parameters():
        p.data = p.data.double()
    Xb = torch.randint(0, 27, (32, 3), generator=g)
    Yb = torch.randint(0, 27, (32,), generator=g)
    with torch.no_grad():
        dW1 = backward_steps(model, forward_steps(model, Xb, Yb), Xb, Yb)["W1"]
        pairs = []
        for i, j in entries:
            w = model.W1[i, j].item()
            losses = []
            for nudged in (w + h, w - h):
                model.W1[i, j] = nudged
                losses.append(forward_steps(model, Xb, Yb).loss.item())
            model.W1[i, j] = w
            pairs.append(((losses[0] - losses[1]) / (2 * h), dW1[i, j].item()))
    return pairs


def one_hot_embedding_backward(
    ix: torch.Tensor, demb: torch.Tensor, vocab_size: int
) -> torch.Tensor:
    """`emb = one_hot(ix) @ C`, so `dC = one_hot(ix)ᵀ @ demb`: the transposed one-hot
    matrix adds up, for each row of `C`, the gradients of every place where it was
    looked up."""
    # (n · block_size, V)
    one_hot = F.one_hot(ix.reshape(-1), vocab_size).to(demb.dtype)
    return one_hot.T @ demb.reshape(-1, demb.shape[-1])


def label_smoothing_backward(
    logits: torch.Tensor, Y: torch.Tensor, eps: float
) -> torch.Tensor:
    """The gradient of `F.cross_entropy(logits, Y, label_smoothing=eps)` at the logits:
    `(softmax(logits) − q) / n`, with `q` the smoothed target distribution."""
    n, V = logits.shape
    q = (1 - eps) * F.one_hot(Y, V).to(logits.dtype) + eps / V
    return (F.softmax(logits, dim=1) - q) / n


def useless_bias_gradient(X: torch.Tensor, Y: torch.Tensor) -> tuple[float, float]:
    """The largest entry of `db1` and of `dW1` from the hand-written backward pass."""
    model = BackpropMLP(generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        grads = model.backward(cross_entropy_backward(model(X), Y))
    return grads["b1"].abs().max().item(), grads["W1"].abs().max().item()
