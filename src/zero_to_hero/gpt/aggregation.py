"""The trick under self-attention: a weighted average of the past, three ways.

Each position `t` of a sequence should gather information from positions `0..t` only,
never from the future it is trained to predict. The simplest such gathering is the
running mean, `out[b, t] = mean(x[b, 0..t])`. Written as a loop it is obvious and slow;
written as a matrix product with a lower-triangular weight matrix it is one fast matmul;
written as a softmax over scores with the future set to `-inf` it becomes
self-attention, once the scores are learned instead of all equal.
"""

from __future__ import annotations

import torch

__all__ = [
    "check_shape",
    "running_mean_loops",
    "running_mean_matmul",
    "running_mean_softmax",
]


def check_shape(x: torch.Tensor) -> None:
    """Refuse anything but a batch of sequences of vectors, `(B, T, C)`."""
    if x.dim() != 3:
        raise ValueError(f"expected x of shape (B, T, C), got shape {tuple(x.shape)}")


def running_mean_loops(x: torch.Tensor) -> torch.Tensor:
    """`out[b, t] = x[b, :t+1].mean(0)`, one position at a time."""
    check_shape(x)
    B, T, _ = x.shape
    out = torch.zeros_like(x)
    for b in range(B):
        for t in range(T):
            out[b, t] = x[b, : t + 1].mean(dim=0)
    return out


def running_mean_matmul(x: torch.Tensor) -> torch.Tensor:
    """The same average as one matmul: row `t` of the weights is `1/(t+1)` on `0..t`,
    else 0."""
    check_shape(x)
    T = x.shape[1]
    weights = torch.tril(torch.ones(T, T, dtype=x.dtype, device=x.device))
    weights = weights / weights.sum(dim=1, keepdim=True)
    return weights @ x  # (T, T) @ (B, T, C) broadcasts over the batch: (B, T, C)


def running_mean_softmax(x: torch.Tensor) -> torch.Tensor:
    """The same weights from a softmax of equal scores with the future masked to
    `-inf`."""
    check_shape(x)
    T = x.shape[1]
    # attention will learn these
    scores = torch.zeros(T, T, dtype=x.dtype, device=x.device)
    future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    return weights @ x
