"""Neurons, layers and multi-layer perceptrons built from scalar `Value`s, and plain
SGD.

The shapes follow PyTorch's `torch.nn` (a `Module` has `parameters()` and
`zero_grad()`), so the step from this chapter to real PyTorch code is a change of scale,
not of ideas.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from zero_to_hero.micrograd.engine import Value, weighted_sum

__all__ = ["Module", "Neuron", "Layer", "MLP", "SGD"]


class Module:
    """Base class: something with trainable parameters."""

    def parameters(self) -> list[Value]:
        """Every trainable `Value` of this module, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set the `grad` of every parameter to 0.

        Only parameters are reset. Gradients accumulate across `backward()` calls (see
        `Value.backward`), so call this once per training step, before `backward()`.
        """
        for p in self.parameters():
            p.grad = 0.0


def _check_size(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n


class Neuron(Module):
    """One unit: `act(w · x + b)` with `w` drawn from U(-1, 1) and `b = 0`.

    Args:
        nin: Number of inputs.
        nonlin: Apply ReLU (True) or stay linear (False, for an output layer).
        rng: Where the initial weights come from. `random.Random(seed)` makes the
            initialisation reproducible without touching Python's global generator; the
            default uses the global one, as the lecture does after `random.seed(...)`.
    """

    def __init__(
        self, nin: int, nonlin: bool = True, rng: random.Random | None = None
    ) -> None:
        uniform = (rng or random).uniform
        self.w = [Value(uniform(-1, 1)) for _ in range(_check_size(nin, "nin"))]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        # b + w·x as one node: same numbers, 2n× fewer nodes
        act = weighted_sum(self.w, x, self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` independent neurons that all read the same inputs."""

    def __init__(
        self, nin: int, nout: int, nonlin: bool = True, rng: random.Random | None = None
    ) -> None:
        self.neurons = [
            Neuron(nin, nonlin, rng) for _ in range(_check_size(nout, "nout"))
        ]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer([{', '.join(map(repr, self.neurons))}])"


class MLP(Module):
    """Layers in sequence: ReLU everywhere except the last layer, which stays linear.

    Args:
        nin: Number of inputs.
        nouts: Width of each layer; the last entry is the number of outputs.
        rng: Source of the initial weights (see `Neuron`).

    Calling the MLP returns a single `Value` when it has one output, else a list.
    """

    def __init__(
        self, nin: int, nouts: Sequence[int], rng: random.Random | None = None
    ) -> None:
        if not nouts:
            raise ValueError(
                "nouts must list at least one layer width, got an empty list"
            )
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], i != last, rng) for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(repr, self.layers))}]"


class SGD:
    """Stochastic gradient descent: `p.data -= lr * p.grad` for every parameter.

    Mirrors `torch.optim.SGD`: `zero_grad()`, then `loss.backward()`, then `step()`.
    """

    def __init__(self, params: Sequence[Value], lr: float) -> None:
        self.params = list(params)
        self.lr = lr

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Move every parameter a step of size `lr` against its gradient."""
        for p in self.params:
            p.data -= self.lr * p.grad
