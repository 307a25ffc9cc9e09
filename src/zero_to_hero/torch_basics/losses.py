"""Binary cross-entropy written out, and the bridge between one logit and two class
scores.

A binary classifier can end in one logit `z` per example (probability of class 1 is
`sigmoid(z)`) or in two class scores `[a, b]` (probabilities `softmax([a, b])`). They
are the same model: `softmax([a, b])[1] = sigmoid(b - a)`, so `BCEWithLogitsLoss` on `z
= b - a` equals `CrossEntropyLoss` on `[a, b]`. The functions here convert between the
two.
"""

from __future__ import annotations

import torch

__all__ = ["two_class_scores", "binary_logit", "bce_with_logits_by_hand", "bce_by_hand"]


def two_class_scores(z: torch.Tensor) -> torch.Tensor:
    """One logit per example `[N]` → two class scores `[N, 2]`: `[0, z]`.

    `softmax([0, z]) = [1 - sigmoid(z), sigmoid(z)]`, so `CrossEntropyLoss` on these
    scores with int64 labels equals `BCEWithLogitsLoss` on `z` with the same labels as
    floats.
    """
    return torch.stack([torch.zeros_like(z), z], dim=-1)


def binary_logit(scores: torch.Tensor) -> torch.Tensor:
    """Two class scores `[N, 2]` → the one logit `[N]` that gives the same
    probabilities."""
    if scores.shape[-1] != 2:
        raise ValueError(
            f"expected two scores per example, [..., 2], got {list(scores.shape)}"
        )
    return scores[..., 1] - scores[..., 0]


def bce_by_hand(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy of probabilities `p`: −[y·log p + (1 − y)·log(1 − p)].

    Like `nn.BCELoss`, each log is clamped at −100, so p = 0 or 1 gives a finite loss.
    """
    log_p = torch.log(p).clamp(min=-100)
    log_not_p = torch.log(1 - p).clamp(min=-100)
    return -(y * log_p + (1 - y) * log_not_p).mean()


def bce_with_logits_by_hand(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy of logits `z`, never forming sigmoid(z).

    With p = sigmoid(z), −log p = log(1 + e^{−z}) and −log(1 − p) = log(1 + e^{z}). Both
    are `softplus`, and max(z, 0) + log(1 + e^{−|z|}) computes it without overflow for
    any z: the exponent is never positive.
    """
    softplus_z = z.clamp(min=0) + torch.log1p(torch.exp(-z.abs()))  # = −log(1 − p)
    return (softplus_z - y * z).mean()  # y·(−log p) + (1 − y)·(−log(1 − p)), simplified
