"""Solutions to the micrograd chapter's exercises (the tests run every one of them)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from zero_to_hero.micrograd.demo import make_moons, max_margin_loss
from zero_to_hero.micrograd.engine import Value
from zero_to_hero.micrograd.nn import MLP

__all__ = ["sin", "softplus", "gradient_check", "MomentumSGD", "first_perfect_step"]


def sin(x: Value) -> Value:
    """sin(x) as a new operation: the result, and d sin(x)/dx = cos(x)."""
    return Value.from_op(math.sin(x.data), [x], [math.cos(x.data)], "sin")


def softplus(x: Value) -> Value:
    """log(1 + e**x), built from existing operations, so no derivative to write by hand.

    For large x, e**x overflows; there softplus(x) = x + log(1 + e**-x) computes the
    same number from a small exponential.
    """
    if x.data > 0:
        return x + (1 + (-x).exp()).log()
    return (1 + x.exp()).log()


def gradient_check(
    f: Callable[[list[Value]], Value], inputs: Sequence[float], h: float = 1e-6
) -> float:
    """Largest gap between backward()'s gradients of `f` and central finite differences.

    The gap is relative to the size of the gradient (with 1 as the floor), so a result
    near 1e-9 means "agrees to about nine digits" whatever the scale.
    """
    xs = [Value(x) for x in inputs]
    f(xs).backward()
    worst = 0.0
    for i in range(len(inputs)):
        up = [Value(v + h if j == i else v) for j, v in enumerate(inputs)]
        down = [Value(v - h if j == i else v) for j, v in enumerate(inputs)]
        numeric = (f(up).data - f(down).data) / (2 * h)
        worst = max(worst, abs(xs[i].grad - numeric) / max(1.0, abs(numeric)))
    return worst


class MomentumSGD:
    """SGD with momentum: each step follows a running sum of past gradients that decays
    by `momentum` per step, so steady directions build up speed and noisy ones
    cancel."""

    def __init__(
        self, params: Sequence[Value], lr: float, momentum: float = 0.9
    ) -> None:
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        self.velocity = [0.0] * len(self.params)

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to 0 (the velocity is kept)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update the velocity with the current gradient, then move along it."""
        for i, p in enumerate(self.params):
            self.velocity[i] = self.momentum * self.velocity[i] + p.grad
            p.data -= self.lr * self.velocity[i]


def first_perfect_step(
    make_optimizer: Callable, max_steps: int = 100, seed: int = 1337
) -> int:
    """Train the demo network (same data, same initial weights) with the optimizer that
    `make_optimizer(params)` returns; the first step at which every point is classified
    right, or -1 if that never happens within `max_steps`."""
    X, y = make_moons(100, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], rng=random.Random(seed))
    optimizer = make_optimizer(model.parameters())
    for step in range(max_steps):
        loss, accuracy = max_margin_loss(model, X, y)
        if accuracy == 1.0:
            return step
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return -1
