"""Minibatch training, evaluation and the statistics the lectures watch while training.

One step: draw `batch_size` random example indices, run the model on them, take the
cross-entropy with the targets, reset the gradients, backpropagate, and move every
parameter against its gradient. The order of the random draws matters for
reproducibility: the lectures draw each minibatch from the same `torch.Generator` that
initialized the weights, right after initialization, and so does `train`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from zero_to_hero.makemore.dataset import Splits
from zero_to_hero.makemore.layers import Module
from zero_to_hero.modes import eval_mode
from zero_to_hero.schedules import warmup_cosine

__all__ = [
    "SGD",
    "AdamW",
    "step_decay",
    "cosine_decay",
    "History",
    "train",
    "evaluate",
    "lr_sweep",
    "split_losses",
]


class SGD:
    """Plain stochastic gradient descent: `p ← p − lr · grad`, written as the lectures
    write it.

    `p.data += -lr * p.grad` rounds once for the product and once for the sum.
    `torch.optim.SGD` fuses the two (`add_(grad, alpha=-lr)`), which rounds differently
    in the last bit. The weights then drift apart a little more with every step, so the
    bit-exact reproduction of the lectures needs the lectures' form.
    """

    def __init__(self, params: Sequence[torch.Tensor]) -> None:
        self.params = list(params)

    def zero_grad(self) -> None:
        """Forget the previous step's gradients (`None`, not zeros: autograd then writes
        fresh tensors instead of adding into old ones)."""
        for p in self.params:
            p.grad = None

    def step(self, lr: float) -> None:
        """Move every parameter against its gradient."""
        for p in self.params:
            p.data += -lr * p.grad


class AdamW:
    """`torch.optim.AdamW` behind the same two methods as `SGD` (the learning rate is
    passed to each `step`, so one schedule function drives either optimizer).

    Args:
        params: The tensors to train.
        weight_decay: Decoupled weight decay (applied to every tensor given).
        betas: Decay rates of the running averages of the gradient and its square.
    """

    def __init__(
        self,
        params: Sequence[torch.Tensor],
        weight_decay: float = 0.01,
        betas: tuple[float, float] = (0.9, 0.99),
    ) -> None:
        self.params = list(params)
        self.optimizer = torch.optim.AdamW(
            self.params, lr=1e-3, betas=betas, weight_decay=weight_decay
        )

    def zero_grad(self) -> None:
        """Reset the gradients to `None`."""
        self.optimizer.zero_grad(set_to_none=True)

    def step(self, lr: float) -> None:
        """One AdamW update with learning rate `lr`."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.step()


def step_decay(
    lr: float = 0.1, decayed: float = 0.01, at: int = 100_000
) -> Callable[[int], float]:
    """The lectures' schedule: `lr` for the steps before `at`, then `decayed`."""
    return lambda step: lr if step < at else decayed


def cosine_decay(
    peak: float, steps: int, warmup: int = 0, final: float = 0.0
) -> Callable[[int], float]:
    """The course's one schedule (`zero_to_hero.schedules.warmup_cosine`) for a run of
    `steps` steps: a linear warm-up to `peak` over `warmup` steps, then half a cosine
    down to `final`."""
    return lambda step: warmup_cosine(step, peak, warmup, steps, final)


@dataclass
class History:
    """What happened during training, step by step."""

    losses: list[float] = field(default_factory=list)  # minibatch loss at each step
    lrs: list[float] = field(default_factory=list)
    #: log10(std(lr · grad) / std(data)) per parameter at each step, if tracked.
    update_ratios: list[list[float]] = field(default_factory=list)
    #: `(step, {split: loss})` measured every `eval_every` steps, if asked for.
    evals: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock time of the loop
    cpu_seconds: float = 0.0  # CPU time of this process during the loop

    @property
    def steps(self) -> int:
        """Steps taken."""
        return len(self.losses)


def train(
    model: Module,
    X: torch.Tensor,
    Y: torch.Tensor,
    steps: int,
    *,
    batch_size: int = 32,
    lr: float | Callable[[int], float] = 0.1,
    generator: torch.Generator | None = None,
    optimizer: SGD | AdamW | None = None,
    track_update_ratios: bool = False,
    eval_every: int = 0,
    eval_data: Mapping[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    on_step: Callable[[int, float], None] | None = None,
    history: History | None = None,
) -> History:
    """Train `model` on `(X, Y)` with minibatch gradient descent.

    Args:
        model: Maps contexts to logits; put in training mode here.
        X: Training contexts, `(N, block_size)`.
        Y: Training targets, `(N,)`.
        steps: Number of minibatch steps.
        batch_size: Examples per step.
        lr: A constant, or a function from the step number (from 0) to the learning
            rate.
        generator: Draws the minibatch indices.
        optimizer: `SGD` over `model.parameters()` by default.
        track_update_ratios: Also record, per parameter and step, how big the update is
            relative to the parameter (the lectures' "update to data ratio").
        eval_every: Every this many steps (and after the last), measure the loss on each
            `(X, Y)` of `eval_data` (with `evaluate`, which draws no random numbers).
        eval_data: Named data sets to measure, e.g. `{"val": (Xval, Yval)}`.
        on_step: Called with `(step, loss)` after each step (progress bars).
        history: Continue this history instead of starting a new one.
    """
    if steps < 0 or batch_size < 1:
        raise ValueError(
            f"need steps >= 0 and batch_size >= 1, got {steps}, {batch_size}"
        )
    if X.shape[0] != Y.shape[0] or X.shape[0] == 0:
        raise ValueError(
            f"X and Y must hold the same, non-zero number of examples: {X.shape[0]}"
            f" and {Y.shape[0]}"
        )
    schedule = lr if callable(lr) else (lambda _step, _lr=lr: _lr)
    params = model.parameters()
    optimizer = optimizer or SGD(params)
    history = history or History()
    first = history.steps
    model.train()
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(first, first + steps):
        # a minibatch
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator)
        loss = F.cross_entropy(model(X[ix]), Y[ix])  # forward: inputs and targets of ix
        optimizer.zero_grad()
        loss.backward()  # backward
        step_lr = schedule(i)
        optimizer.step(step_lr)  # update
        history.losses.append(loss.item())
        history.lrs.append(step_lr)
        if track_update_ratios:
            with torch.no_grad():
                history.update_ratios.append(
                    [
                        ((step_lr * p.grad).std() / p.data.std()).log10().item()
                        for p in params
                    ]
                )
        if (
            eval_every
            and eval_data
            and ((i + 1) % eval_every == 0 or i == first + steps - 1)
        ):
            history.evals.append(
                (i + 1, {k: evaluate(model, *xy) for k, xy in eval_data.items()})
            )
        if on_step is not None:
            on_step(i, history.losses[-1])
    history.seconds += time.perf_counter() - t0
    history.cpu_seconds += time.process_time() - c0
    return history


@torch.no_grad()
def evaluate(model: Module, X: torch.Tensor, Y: torch.Tensor) -> float:
    """Mean cross-entropy of `model` on all of `(X, Y)` at once, in evaluation mode.

    In evaluation mode a BatchNorm uses its running statistics and does not update them;
    the model's mode is restored afterwards.
    """
    with eval_mode(model):
        return F.cross_entropy(model(X), Y).item()


def lr_sweep(
    model: Module,
    X: torch.Tensor,
    Y: torch.Tensor,
    exponents: Sequence[float],
    *,
    batch_size: int = 32,
    generator: torch.Generator | None = None,
) -> list[float]:
    """Train one minibatch step at each learning rate `10**e` for `e` in `exponents` (in
    order, on the same model), and return the loss of each step.

    While the rate is too small the loss barely moves; once it is too large the loss
    becomes unstable and climbs. A good rate sits near the bottom of the (smoothed)
    curve.
    """
    history = History()
    for e in exponents:
        train(
            model,
            X,
            Y,
            1,
            batch_size=batch_size,
            lr=10**e,
            generator=generator,
            history=history,
        )
    return history.losses


def split_losses(
    model: Module, splits: Splits, names: Sequence[str] = ("train", "val")
) -> dict[str, float]:
    """`evaluate` on each named split of a `Splits` object."""
    return {name: evaluate(model, splits[name].X, splits[name].Y) for name in names}
