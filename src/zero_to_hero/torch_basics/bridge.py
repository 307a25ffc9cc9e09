"""From micrograd's `Value` to PyTorch's `Tensor`: the same computations in both
engines.

`expression` is written once and runs on either kind of number, because a `Value` and a
tensor spell their operations the same way (`+`, `*`, `/`, `**`, `.tanh()`, `.exp()` …).
`mlp_to_torch` copies a micrograd `MLP` into an equivalent `torch.nn.Sequential`, so the
two networks can be compared output for output and gradient for gradient.
"""

from __future__ import annotations

from typing import TypeVar

import torch
from torch import nn

from zero_to_hero.micrograd import MLP

__all__ = ["expression", "mlp_to_torch", "micrograd_grads"]

N = TypeVar("N")  # a micrograd Value or a torch Tensor


def expression(a: N, b: N) -> N:
    """A small expression using every kind of operation micrograd has.

    Only operators and methods that `Value` and `torch.Tensor` share appear here, so the
    same code builds a micrograd graph from `Value`s and an autograd graph from tensors.
    """
    c = a * b + b**3
    d = (c / 4).tanh() + (a - b).relu()
    e = (a * a + 1).log() - (-b).sigmoid() + (b / 5).exp()
    return d * e


def mlp_to_torch(model: MLP, dtype: torch.dtype = torch.float64) -> nn.Sequential:
    """The same network in PyTorch: one `nn.Linear` per layer, `nn.ReLU` between them.

    A micrograd `Layer` holds a list of neurons, each with its own weights; `nn.Linear`
    holds one weight matrix whose row `i` is neuron `i`'s weights, and one bias vector.
    """
    modules: list[nn.Module] = []
    for i, layer in enumerate(model.layers):
        n_out, n_in = len(layer.neurons), len(layer.neurons[0].w)
        linear = nn.Linear(n_in, n_out, dtype=dtype)
        weight = [[w.data for w in n.w] for n in layer.neurons]
        bias = [n.b.data for n in layer.neurons]
        with torch.no_grad():  # filling in parameters is not part of any computation
            # dtype= matters: torch.tensor(list of floats) would round them to float32
            # first.
            linear.weight.copy_(torch.tensor(weight, dtype=dtype))
            linear.bias.copy_(torch.tensor(bias, dtype=dtype))
        modules.append(linear)
        if i < len(model.layers) - 1:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def micrograd_grads(
    model: MLP, dtype: torch.dtype = torch.float64
) -> list[torch.Tensor]:
    """The micrograd model's gradients laid out like
    `mlp_to_torch(model).parameters()`."""
    grads = []
    for layer in model.layers:
        grads.append(
            torch.tensor([[w.grad for w in n.w] for n in layer.neurons], dtype=dtype)
        )
        grads.append(torch.tensor([n.b.grad for n in layer.neurons], dtype=dtype))
    return grads
