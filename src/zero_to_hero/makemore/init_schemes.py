"""Weight initialization, derived: how the spread of the activations changes with depth.

A layer computes `y = x @ W` with `fan_in` inputs. If the inputs and the weights are
independent with mean 0, each output is a sum of `fan_in` products and
`Var(y) = fan_in · Var(W) · Var(x)`. The schemes below choose `Var(W)` so that the
spread survives a deep stack of layers:

* LeCun et al. (1998): `Var(W) = 1 / fan_in`, so `Var(y) = Var(x)` for a linear layer.
* Glorot and Bengio (2010): `Var(W) = 2 / (fan_in + fan_out)`, a compromise between
  keeping the forward and the backward variance, for tanh-like units (linear near 0).
* He et al. (2015): `Var(W) = 2 / fan_in` for ReLU, which zeroes half of its inputs and
  so halves the second moment it passes on.
* PyTorch's `calculate_gain("tanh")`: a gain of 5/3 on LeCun's scale, chosen by
  experiment to make up for tanh's squashing.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

__all__ = ["SCHEMES", "NONLINEARITIES", "activation_stds"]

#: Standard deviation of the weights, as a function of (fan_in, fan_out).
SCHEMES: dict[str, Callable[[int, int], float]] = {
    "N(0, 1)": lambda fan_in, fan_out: 1.0,
    "LeCun: 1/√fan_in": lambda fan_in, fan_out: 1 / math.sqrt(fan_in),
    "Glorot: √(2/(fan_in+fan_out))": lambda fan_in, fan_out: math.sqrt(
        2 / (fan_in + fan_out)
    ),
    "He: √2/√fan_in": lambda fan_in, fan_out: math.sqrt(2 / fan_in),
    "tanh gain: (5/3)/√fan_in": lambda fan_in, fan_out: (5 / 3) / math.sqrt(fan_in),
}

NONLINEARITIES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": torch.relu,
}


def activation_stds(
    weight_std: Callable[[int, int], float],
    nonlinearity: Callable[[torch.Tensor], torch.Tensor],
    depth: int = 50,
    width: int = 256,
    batch: int = 1000,
    seed: int = 0,
) -> list[float]:
    """The standard deviation of each layer's output in a stack of `depth` square layers
    (`x @ W` then the nonlinearity) at initialization, for unit-normal inputs. Float64,
    so that exploding and vanishing spreads show their size instead of overflowing."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    stds = []
    for _ in range(depth):
        W = torch.randn(width, width, generator=g, dtype=torch.float64)
        x = nonlinearity(x @ (W * weight_std(width, width)))
        stds.append(x.std().item())
    return stds
