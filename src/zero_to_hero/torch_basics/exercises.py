"""Solutions to the exercises at the end of the PyTorch-basics chapter.

Each is shown, collapsed, under its exercise, and checked by
`tests/torch_basics/test_exercises.py`.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from zero_to_hero.torch_basics.examples import Trained, spirals
from zero_to_hero.torch_basics.training import MLP, fit, seed_everything

__all__ = [
    "cross_entropy_by_hand",
    "fit_line_with_momentum",
    "train_in_two_sittings",
    "small_spirals_model",
    "SMALL_MODEL_MAX_PARAMETERS",
]


def cross_entropy_by_hand(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of `[N, C]` logits, for int64 class indices `[N]` or class
    probabilities `[N, C]`, stable for any logits.

    log softmax(z)_k = z_k − logsumexp(z), and logsumexp(z) = m + log Σ exp(z − m) with
    m = max(z): every exponent is ≤ 0, so nothing overflows. Subtract m from z first,
    not from m + log Σ …: in float32, 1001 + 0.3133 keeps only 3 of the 4 digits of
    0.3133.
    """
    # ≤ 0, and 0 for the largest
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    if targets.dtype == torch.int64:
        # log p of the true class
        picked = log_probs.gather(1, targets.unsqueeze(1)).squeeze(1)
        return -picked.mean()
    return -(targets * log_probs).sum(dim=1).mean()


def fit_line_with_momentum(steps: int = 50, seed: int = 0) -> list[float]:
    """`fit_line(zero_grad=False)` again, written as SGD with momentum 1 and a correct
    loop.

    Without `zero_grad`, `.grad` holds the sum of every gradient so far, which is
    exactly the velocity of SGD with momentum 1 (no decay): v ← 1·v + g, then p ← p −
    lr·v.
    """
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(64, 1, generator=gen) * 2 - 1
    y = 3 * x + 2 + 0.1 * torch.randn(64, 1, generator=gen)
    torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=1.0)
    losses = []
    for _ in range(steps):
        loss = nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_in_two_sittings(
    epochs_first: int, epochs_second: int, seed: int = 0
) -> Trained:
    """Train the spirals example, stop, save everything, rebuild, load, and finish.

    Three things carry the run's state: the model's parameters, the optimizer's (Adam
    keeps two running averages per parameter and a step count) and the generator that
    shuffles the minibatches. Save all three and the resumed run matches an
    uninterrupted one bit for bit.
    """
    device = torch.device("cpu")

    def build():
        model = MLP(n_in=2, hidden=[64, 64], n_out=3)
        return model, torch.optim.Adam(model.parameters(), lr=0.01)

    train, test = spirals(100, seed=seed), spirals(100, seed=seed + 1000)
    generator = seed_everything(seed)
    model, optimizer = build()
    loss_fn = nn.CrossEntropyLoss()
    first = fit(
        model, train, test, loss_fn, optimizer, epochs_first, 32, generator, device
    )
    saved = {  # what a checkpoint file would hold (torch.save(saved, path))
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "generator": generator.get_state(),
    }

    # a fresh process would start here, with new random weights
    model, optimizer = build()
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    generator = torch.Generator()
    generator.set_state(saved["generator"])
    second = fit(
        model, train, test, loss_fn, optimizer, epochs_second, 32, generator, device
    )
    # number on from first
    second = [replace(r, epoch=r.epoch + epochs_first) for r in second]
    return Trained(model, first + second, train, test)


SMALL_MODEL_MAX_PARAMETERS = 500
"""The parameter budget of the "beat this" exercise."""


def small_spirals_model(seed: int = 0, epochs: int = 150) -> Trained:
    """The spirals to the example's accuracy goal with at most 500 parameters.

    Two hidden layers of 16 (371 parameters): narrower layers need more epochs and a
    larger learning rate to get there.
    """
    generator = seed_everything(seed)
    train, test = spirals(100, seed=seed), spirals(100, seed=seed + 1000)
    model = MLP(n_in=2, hidden=[16, 16], n_out=3)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    history = fit(
        model,
        train,
        test,
        nn.CrossEntropyLoss(),
        optimizer,
        epochs=epochs,
        batch_size=32,
        generator=generator,
        device=torch.device("cpu"),
    )
    return Trained(model, history, train, test)
