"""Faster generation on a CPU: the same model, its matrices stored `(in, out)`.

Generating one token multiplies a single row of activations by every matrix of the
model, each weight read from memory for one multiply-add. Reading memory, not
arithmetic, sets the pace, and the order in which the weights lie in memory matters:
on the CPUs we measured, `x @ W` with `W` stored `(in, out)` (GPT-2's original
`Conv1D` layout) streams through memory faster than `nn.Linear`'s `x @ W.T` with `W`
stored `(out, in)`. The lecture model (`zero_to_hero.gpt2.model`) keeps `nn.Linear`
for clarity; `for_generation` returns a copy laid out for speed, which gives the same
logits and generates the same tokens (tested).
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from zero_to_hero.gpt2.model import GPT2

__all__ = ["InputMajorLinear", "for_generation"]


class InputMajorLinear(nn.Module):
    """`nn.Linear`'s computation, `x @ weight.T + bias`, with the matrix stored
    transposed, `(in, out)`, so that the product reads it row after row."""

    def __init__(self, linear: nn.Linear):
        super().__init__()
        self.weight = nn.Parameter(linear.weight.detach().t().contiguous())
        self.bias = None
        if linear.bias is not None:
            self.bias = nn.Parameter(linear.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(..., in)` → `(..., out)`."""
        rows = x.reshape(-1, x.shape[-1])
        if self.bias is None:
            out = rows @ self.weight
        else:
            out = torch.addmm(self.bias, rows, self.weight)  # bias added in the product
        return out.view(*x.shape[:-1], out.shape[-1])


def for_generation(model: GPT2) -> GPT2:
    """A copy of `model` for generating text, in evaluation mode and without
    gradients, with every linear layer an `InputMajorLinear`.

    The head gets its own `(n_embd, vocab_size)` copy of the token embedding (the
    embedding itself is read by rows, one per token, so it stays as it is): the copy
    holds one more vocabulary-sized matrix (154 MB at 124M), and training it would
    untie the two. Use it to generate, not to train.
    """
    if not isinstance(model, GPT2):
        raise TypeError(f"for_generation takes a GPT2, got {type(model).__name__}")
    fast = copy.deepcopy(model).eval().requires_grad_(False)
    for module in list(fast.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                setattr(module, name, InputMajorLinear(child).requires_grad_(False))
    return fast
