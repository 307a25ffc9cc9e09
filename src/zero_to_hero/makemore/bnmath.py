"""Batch normalization as two functions: the forward pass, and its backward pass derived
by hand.

For a batch `x` of shape `(n, d)`, each feature (column) is normalized with its batch
mean and standard deviation, then scaled by `gamma` and shifted by `beta`:

    mu = mean(x)            var = sum((x − mu)²) / m          sigma = sqrt(var + eps)
    xhat = (x − mu) / sigma                                   y = gamma · xhat + beta

with `m = n` (the biased variance, as in the BatchNorm paper and `torch.nn.BatchNorm1d`)
or `m = n − 1` (Bessel's correction, as the lectures' manual-backprop network uses). The
backward pass returns the gradients of the loss with respect to `x`, `gamma` and `beta`
given the gradient `dy` with respect to the output; the BatchNorm essay derives it line
by line:

    dbeta  = sum(dy)        dgamma = sum(dy · xhat)           dxhat = dy · gamma
    dx     = (dxhat − mean(dxhat) − xhat · sum(dxhat · xhat) / m) / sigma
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["BatchNormCache", "batchnorm_forward", "batchnorm_backward"]


@dataclass(frozen=True)
class BatchNormCache:
    """What the backward pass needs from the forward pass."""

    xhat: torch.Tensor  # the normalized input, (n, d)
    sigma: torch.Tensor  # sqrt(var + eps), (1, d)
    gamma: torch.Tensor  # (d,) or (1, d)
    m: int  # the variance's divisor: n, or n − 1 with Bessel's correction


def batchnorm_forward(
    x: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    eps: float = 1e-5,
    unbiased: bool = False,
) -> tuple[torch.Tensor, BatchNormCache]:
    """Normalize each column of `x` over the batch, then scale and shift.

    Returns:
        `(y, cache)`: the output, and what `batchnorm_backward` needs.
    """
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"expected a batch of shape (n >= 2, d), got {tuple(x.shape)}")
    n = x.shape[0]
    m = n - 1 if unbiased else n
    mu = x.mean(0, keepdim=True)
    var = ((x - mu) ** 2).sum(0, keepdim=True) / m
    sigma = torch.sqrt(var + eps)
    xhat = (x - mu) / sigma
    return gamma * xhat + beta, BatchNormCache(xhat, sigma, gamma, m)


def batchnorm_backward(
    dy: torch.Tensor, cache: BatchNormCache
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The gradients `(dx, dgamma, dbeta)` of the loss, given `dy`, its gradient at the
    output.

    `gamma` and `beta` act on every row, so their gradients sum over the batch. Every
    `x[i]` reaches the output through its own `xhat[i]` *and* through the mean and the
    variance, which every row shares: the two subtracted terms are those shared paths.
    """
    xhat, sigma, gamma, m = cache.xhat, cache.sigma, cache.gamma, cache.m
    dbeta = dy.sum(0)
    dgamma = (dy * xhat).sum(0)
    dxhat = dy * gamma
    dx = (
        dxhat
        - dxhat.mean(0, keepdim=True)
        - xhat * (dxhat * xhat).sum(0, keepdim=True) / m
    ) / sigma
    return dx, dgamma.reshape(gamma.shape), dbeta.reshape(gamma.shape)
