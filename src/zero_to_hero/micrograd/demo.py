"""Train an MLP to separate two interleaving half-moons: the micrograd demo, end to end.

The recipe is the one of micrograd's `demo.ipynb`: 100 points with noise 0.1 from
numpy's `RandomState(1337)`, weights from `random.seed(1337)`, an `MLP(2, [16, 16, 1])`,
the SVM max-margin loss plus L2 regularisation, and 100 full-batch SGD steps with the
learning rate falling linearly from 1.0 to 0.1. Follow it exactly and you get the
notebook's losses to the last bit.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zero_to_hero.micrograd.engine import Value
from zero_to_hero.micrograd.nn import MLP, SGD, Module

__all__ = ["make_moons", "max_margin_loss", "TrainRecord", "train_moons"]


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int = 1337
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half-circles in 2-D, labelled -1 (upper moon) and +1 (lower
    moon).

    The same points as scikit-learn's `make_moons(n_samples, noise=noise)` after
    `np.random.seed(seed)`, generated here with numpy alone.

    Returns:
        `(X, y)`: `n_samples` points `[x0, x1]` and their labels, as plain Python lists.
    """
    import numpy as np  # only the demo data needs numpy; the engine stays pure Python

    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"n_samples must be an int >= 2, got {n_samples!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    rng = np.random.RandomState(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    # Written as (1 - sin) - 0.5, not 0.5 - sin: the two round differently in the last
    # bit.
    lower = np.stack([1 - np.cos(t_lower), 1 - np.sin(t_lower) - 0.5], axis=1)
    X = np.concatenate([upper, lower])
    y = np.concatenate([np.zeros(n_upper, dtype=int), np.ones(n_lower, dtype=int)])
    # shuffle first, then add noise: the RNG order matters
    order = rng.permutation(n_samples)
    X, y = X[order], y[order]
    X = X + rng.normal(scale=noise, size=X.shape)
    return X.tolist(), (2 * y - 1).tolist()


def max_margin_loss(
    model: Module, X: Sequence[Sequence[float]], y: Sequence[int], alpha: float = 1e-4
) -> tuple[Value, float]:
    """Mean SVM hinge loss `relu(1 - y * score)` plus `alpha * sum(p**2)`, and the
    accuracy.

    A point stops contributing once it is on the right side with a margin of 1, so the
    loss pushes on the points that are still wrong or too close to the boundary.
    """
    if len(X) != len(y) or not X:
        raise ValueError(
            f"X and y must be non-empty and equally long, got {len(X)} and {len(y)}"
        )
    scores = [model(x) for x in X]
    hinge = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
    # Multiply by 1/n as the reference demo does; dividing by n rounds differently.
    data_loss = sum(hinge) * (1.0 / len(hinge))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    accuracy = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


@dataclass(frozen=True)
class TrainRecord:
    """The loss and accuracy measured at one step, before that step's update."""

    step: int
    loss: float
    accuracy: float


def train_moons(
    steps: int = 100,
    seed: int = 1337,
    hidden: Sequence[int] = (16, 16),
    n_samples: int = 100,
    on_step: Callable[[TrainRecord], None] | None = None,
) -> tuple[MLP, list[TrainRecord]]:
    """Train the demo classifier and return it with its per-step history.

    The learning rate falls linearly from 1.0 at step 0 towards 0.1 at the last step.
    `on_step` (optional) is called with each record as it is made, e.g. to show
    progress.
    """
    X, y = make_moons(n_samples, noise=0.1, seed=seed)
    model = MLP(2, [*hidden, 1], rng=random.Random(seed))
    optimizer = SGD(model.parameters(), lr=1.0)
    history = []
    for k in range(steps):
        loss, accuracy = max_margin_loss(model, X, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * k / steps
        optimizer.step()
        history.append(TrainRecord(k, loss.data, accuracy))
        if on_step is not None:
            on_step(history[-1])
    return model, history
