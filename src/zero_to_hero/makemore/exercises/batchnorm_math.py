"""Solutions to the exercises of the BatchNorm math page: LayerNorm's backward pass,
BatchNorm's invariance to the scale of the weights before it, and how long running
statistics remember."""

from __future__ import annotations

import math

import torch

from zero_to_hero.makemore.bnmath import batchnorm_forward

__all__ = ["layernorm_backward", "batchnorm_scale_invariance", "steps_to_forget"]


def layernorm_backward(
    dout: torch.Tensor, x: torch.Tensor, gamma: torch.Tensor, eps: float = 1e-5
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of `gamma · (x − mean) / sqrt(var + eps) + beta` with the statistics
    taken over each *row* (the features of one example) instead of each column.

    The derivation of the BatchNorm page goes through unchanged with the roles of the
    axes swapped: the sums over the batch become sums over the features, while `gamma`
    and `beta` still collect their gradients over the batch.
    """
    d = x.shape[1]
    mean = x.mean(1, keepdim=True)
    sigma = torch.sqrt(x.var(1, keepdim=True, unbiased=False) + eps)
    xhat = (x - mean) / sigma
    dgamma = (dout * xhat).sum(0)
    dbeta = dout.sum(0)
    dxhat = dout * gamma
    dx = (
        d * dxhat
        - dxhat.sum(1, keepdim=True)
        - xhat * (dxhat * xhat).sum(1, keepdim=True)
    ) / (d * sigma)
    return dx, dgamma, dbeta


def batchnorm_scale_invariance(
    x: torch.Tensor, W: torch.Tensor, a: float, eps: float = 1e-5
) -> tuple[float, float]:
    """Scale the weights before a BatchNorm by `a > 0`: the output hardly changes, and
    the weights' gradient shrinks by `1/a`.

    Returns:
        `(max |y(a·W) − y(W)|, |grad at a·W| / |grad at W|)` for the loss `sum(y · r)`
        with a fixed random `r`.
    """
    g = torch.Generator().manual_seed(0)
    r = torch.randn(x.shape[0], W.shape[1], generator=g, dtype=x.dtype)
    gamma = torch.ones(W.shape[1], dtype=x.dtype)
    beta = torch.zeros(W.shape[1], dtype=x.dtype)
    outputs, grads = [], []
    for scale in (1.0, a):
        w = (W * scale).detach().requires_grad_()
        y, _ = batchnorm_forward(x @ w, gamma, beta, eps)
        (y * r).sum().backward()
        outputs.append(y.detach())
        grads.append(w.grad.norm().item())
    return (outputs[1] - outputs[0]).abs().max().item(), grads[1] / grads[0]


def steps_to_forget(momentum: float, fraction: float = 0.01) -> int:
    """Steps until a running average `(1 − m) · running + m · batch` keeps less than
    `fraction` of its initial value: after k steps that weight is `(1 − m)^k`."""
    if not 0 < momentum < 1:
        raise ValueError(f"momentum must be in (0, 1), got {momentum!r}")
    return math.ceil(math.log(fraction) / math.log(1 - momentum))
