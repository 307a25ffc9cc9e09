"""The training loop, written once: data → forward → loss → zero_grad → backward → step.

Everything a small PyTorch project needs and nothing more: one `device` variable,
seeding, an `nn.Module`, a `DataLoader` that shuffles reproducibly, an optimizer, and
the switch between training mode and evaluation mode. The worked examples in
[`zero_to_hero.torch_basics.examples`][zero_to_hero.torch_basics.examples] are built
from these pieces.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from zero_to_hero.modes import eval_mode
from zero_to_hero.torch_basics.checks import check_classification_batch

__all__ = [
    "pick_device",
    "seed_everything",
    "MLP",
    "make_loader",
    "predict",
    "accuracy",
    "train_epoch",
    "evaluate",
    "EpochRecord",
    "fit",
    "sgd_step",
]


def pick_device() -> torch.device:
    """The device to train on: the first CUDA GPU when torch can use one, else the CPU.

    Call it once, keep the result in one `device` variable, and move the model and every
    batch there with `.to(device)`.
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's, numpy's and torch's global generators; return a torch generator of
    its own.

    Give the returned generator to the `DataLoader`, so the order of the minibatches
    depends on `seed` alone, not on how many random numbers something else drew before.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)


class MLP(nn.Module):
    """A multi-layer perceptron: (Linear → ReLU → Dropout) per hidden layer, then
    Linear.

    Args:
        n_in: Number of input features.
        hidden: Width of each hidden layer.
        n_out: Number of outputs: 1 for a binary classifier (one logit per example), C
            for C classes (one logit per class).
        dropout: Probability of zeroing each hidden activation while training.

    A binary classifier returns logits of shape `[N]`, matching float targets of shape
    `[N]` for `nn.BCEWithLogitsLoss`; a C-class one returns `[N, C]`, for
    `nn.CrossEntropyLoss` with int64 targets of shape `[N]`.
    """

    def __init__(
        self, n_in: int, hidden: Sequence[int], n_out: int, dropout: float = 0.0
    ) -> None:
        # registers the module machinery before any layer is assigned
        super().__init__()
        layers: list[nn.Module] = []
        for width in hidden:
            layers += [nn.Linear(n_in, width), nn.ReLU(), nn.Dropout(dropout)]
            n_in = width
        layers.append(nn.Linear(n_in, n_out))
        self.layers = nn.Sequential(*layers)  # an attribute: its parameters become ours
        self.n_out = n_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits: `[N]` for one output, `[N, n_out]` otherwise."""
        logits = self.layers(x)
        # One output: drop the axis of size 1, so logits [N] line up with targets [N].
        return logits.squeeze(-1) if self.n_out == 1 else logits


def make_loader(
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    shuffle: bool = True,
    generator: torch.Generator | None = None,
) -> DataLoader:
    """A `DataLoader` over tensors already in memory.

    Args:
        X: Inputs, one row per example.
        y: Targets, one per example.
        batch_size: Examples per minibatch (the last one may be smaller).
        shuffle: Draw a new order every epoch (training) or keep the order (evaluation).
        generator: Where the shuffling order comes from; pass the one `seed_everything`
            returns for reproducible runs.
    """
    if len(X) != len(y):
        raise ValueError(
            f"X and y must hold as many examples, got {len(X)} and {len(y)}"
        )
    return DataLoader(
        TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator
    )


def predict(logits: torch.Tensor) -> torch.Tensor:
    """Predicted classes: `logit > 0` for one logit per example `[N]`, argmax over
    classes for `[N, C]`."""
    if logits.dim() == 1:
        return (logits > 0).long()
    return logits.argmax(dim=1)


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of examples whose predicted class equals the target class."""
    return (predict(logits) == targets.long()).float().mean().item()


def train_epoch(
    model: nn.Module,
    loader: DataLoader,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
) -> float:
    """One pass over the training data; returns the mean loss over its examples."""
    # training mode: dropout active (and batch norm would use batch statistics)
    model.train()
    total, count = 0.0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)  # the batch goes where the model is
        logits = model(X)  # forward
        loss = loss_fn(logits, y)  # how wrong, as one number
        optimizer.zero_grad()  # gradients accumulate: clear the previous step's
        loss.backward()  # d(loss)/d(parameter) into every parameter's .grad
        optimizer.step()  # move every parameter against its gradient
        # .item(): a Python float, detached from the graph
        total += loss.item() * len(y)
        count += len(y)
    return total / count


# no graph: evaluation never calls backward, so save the memory and time
@torch.no_grad()
def evaluate(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, device: torch.device
) -> float:
    """Accuracy of `model` on `(X, y)`, in evaluation mode (dropout off)."""
    with eval_mode(model):
        return accuracy(model(X.to(device)), y.to(device))


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch of `fit` measured."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_accuracy: float


def fit(
    model: nn.Module,
    train: tuple[torch.Tensor, torch.Tensor],
    test: tuple[torch.Tensor, torch.Tensor],
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    batch_size: int,
    generator: torch.Generator,
    device: torch.device,
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> list[EpochRecord]:
    """Train for `epochs` epochs and measure accuracy after each.

    Before the first step it checks one batch with `check_classification_batch` and
    raises a `ValueError` that says what is wrong (dtype, shape, range, logits vs
    probabilities) rather than letting the loss function fail with a kernel's message.

    Args:
        model: Already on `device`.
        train: Training inputs and targets (on any device; batches are moved to
            `device`).
        test: Held-out inputs and targets, for the accuracy after each epoch.
        loss_fn: E.g. `nn.BCEWithLogitsLoss()` or `nn.CrossEntropyLoss()`.
        optimizer: Built on `model.parameters()`.
        epochs: Passes over the training data.
        batch_size: Examples per minibatch.
        generator: Shuffles the minibatches (from `seed_everything`).
        device: Where the model lives.
        on_epoch: Called with each epoch's record, e.g. to update a progress bar.
    """
    loader = make_loader(*train, batch_size=batch_size, generator=generator)
    # With autograd on, so the check can see a sigmoid or softmax at the end of the
    # model.
    X0, y0 = train[0][:batch_size].to(device), train[1][:batch_size].to(device)
    check_classification_batch(model(X0), y0, loss_fn).raise_if_problems()
    history = []
    for epoch in range(epochs):
        loss = train_epoch(model, loader, loss_fn, optimizer, device)
        record = EpochRecord(
            epoch, loss, evaluate(model, *train, device), evaluate(model, *test, device)
        )
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    return history


def sgd_step(params: Sequence[torch.Tensor], lr: float) -> None:
    """Plain gradient descent by hand: `p -= lr * p.grad`, then clear the gradient.

    The update runs under `torch.no_grad()`: it is not part of the model, and autograd
    refuses to record an in-place change of a leaf that requires grad.
    """
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
                p.grad = None  # what optimizer.zero_grad() does by default
