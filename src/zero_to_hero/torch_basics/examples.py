"""Two tiny, fully worked classifiers on generated data, and a line fit that shows why
`zero_grad` matters.

* **Binary**: the two moons of the micrograd chapter, one logit per example,
  `nn.BCEWithLogitsLoss` with float targets 0/1.
* **Multi-class**: three interleaved spirals, one logit per class, `nn.CrossEntropyLoss`
  with int64 class indices.

Both train in about a second on one CPU thread, and each must reach a stated test
accuracy (`BINARY_GOAL`, `MULTICLASS_GOAL`), which the test suite checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from zero_to_hero.micrograd.demo import make_moons
from zero_to_hero.torch_basics.training import (
    MLP,
    EpochRecord,
    fit,
    pick_device,
    seed_everything,
)

__all__ = [
    "two_moons",
    "spirals",
    "Trained",
    "train_binary",
    "train_multiclass",
    "BINARY_GOAL",
    "MULTICLASS_GOAL",
    "fit_line",
]

BINARY_GOAL = 0.97
"""Test accuracy the binary example must reach (the tests and the benchmark check
it)."""
MULTICLASS_GOAL = 0.95
"""Test accuracy the three-spirals example must reach."""


def two_moons(
    n: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """The micrograd chapter's two moons as tensors ready for `nn.BCEWithLogitsLoss`.

    Returns:
        `X` float32 `[n, 2]` and `y` float32 `[n]` with values 0.0 and 1.0.
    """
    X, y = make_moons(n, noise=noise, seed=seed)  # Python floats, labels -1/+1
    X = torch.tensor(X, dtype=torch.float32)  # state the dtype where data enters torch
    y = (torch.tensor(y, dtype=torch.float32) + 1) / 2  # -1/+1 → 0/1, as BCE wants
    return X, y


def spirals(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.25, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """`n_classes` spiral arms around the origin, one per class.

    Returns:
        `X` float32 `[n_per_class * n_classes, 2]` and `y` int64 class indices, in
        shuffled order.
    """
    if n_per_class < 1 or n_classes < 2:
        raise ValueError(
            f"need n_per_class >= 1 and n_classes >= 2, got {n_per_class}, {n_classes}"
        )
    gen = torch.Generator().manual_seed(seed)
    radius = torch.linspace(0.05, 1.0, n_per_class).repeat(n_classes)
    y = torch.arange(n_classes).repeat_interleave(n_per_class)  # int64 by default
    turn = 7.0  # radians each arm winds through: more than a full turn
    angle = y * (2 * math.pi / n_classes) + radius * turn
    angle = angle + noise * torch.randn(len(y), generator=gen)
    X = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    order = torch.randperm(len(y), generator=gen)
    return X[order], y[order]


@dataclass
class Trained:
    """A trained example: the model, its per-epoch history, and its data."""

    model: nn.Module
    history: list[EpochRecord]
    train: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]

    @property
    def test_accuracy(self) -> float:
        """Accuracy on the held-out points after the last epoch."""
        return self.history[-1].test_accuracy


def train_binary(
    seed: int = 0,
    epochs: int = 60,
    device: torch.device | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> Trained:
    """Two moons, one logit per example, `BCEWithLogitsLoss`, Adam."""
    device = device or pick_device()
    generator = seed_everything(seed)
    train, test = two_moons(200, seed=seed), two_moons(200, seed=seed + 1000)
    model = MLP(n_in=2, hidden=[16, 16], n_out=1).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    history = fit(
        model,
        train,
        test,
        nn.BCEWithLogitsLoss(),
        optimizer,
        epochs=epochs,
        batch_size=32,
        generator=generator,
        device=device,
        on_epoch=on_epoch,
    )
    return Trained(model, history, train, test)


def train_multiclass(
    seed: int = 0,
    epochs: int = 60,
    device: torch.device | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> Trained:
    """Three spirals, one logit per class, `CrossEntropyLoss`, Adam."""
    device = device or pick_device()
    generator = seed_everything(seed)
    train, test = spirals(100, seed=seed), spirals(100, seed=seed + 1000)
    model = MLP(n_in=2, hidden=[64, 64], n_out=3).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    history = fit(
        model,
        train,
        test,
        nn.CrossEntropyLoss(),
        optimizer,
        epochs=epochs,
        batch_size=32,
        generator=generator,
        device=device,
        on_epoch=on_epoch,
    )
    return Trained(model, history, train, test)


def fit_line(steps: int = 50, zero_grad: bool = True, seed: int = 0) -> list[float]:
    """Fit y = 3x + 2 (plus noise) with one `nn.Linear(1, 1)` and plain SGD.

    With `zero_grad=False` the loop forgets to clear the gradients, so each step moves
    the parameters by the sum of every gradient so far. Returns the loss at each step.
    """
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(64, 1, generator=gen) * 2 - 1
    # [64, 1], like the model's output
    y = 3 * x + 2 + 0.1 * torch.randn(64, 1, generator=gen)
    torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        loss = nn.functional.mse_loss(model(x), y)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
