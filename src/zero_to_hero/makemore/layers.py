"""Neural-network layers written out by hand, with the same interface as `torch.nn`.

Each layer is a small class: its parameters are plain tensors with `requires_grad=True`,
its forward pass is `__call__`, and autograd does the backward pass. Every layer keeps
its last output in `self.out`, so the diagnostics can look inside a network after a
forward pass (the histograms of the initialization chapter).

A `Module` knows its parameters (trained by gradient descent), its buffers (state
updated another way, such as BatchNorm's running statistics), its sub-modules, and
whether it is in training or evaluation mode. That is all `torch.nn.Module` does too,
minus hooks and devices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

import torch
import torch.nn.functional as F

__all__ = [
    "Module",
    "Configured",
    "Linear",
    "BatchNorm1d",
    "Tanh",
    "Embedding",
    "Flatten",
    "Sequential",
]


def _positive_int(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n


class Module:
    """Base class of every layer and model of the makemore chapters.

    A subclass lists the names of its parameter and buffer attributes in
    `parameter_names` and `buffer_names`, and its sub-modules in `named_children()`;
    everything else (the parameter list, `state_dict`, train/eval mode) follows from
    those.
    """

    parameter_names: tuple[str, ...] = ()
    buffer_names: tuple[str, ...] = ()
    training: bool = True
    out: torch.Tensor | None = None  # the last output, kept for the diagnostics

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """The direct sub-modules, with their names (none by default)."""
        yield from ()

    def _named(self, names: Iterable[str], kind: str, prefix: str):
        for name in names:
            tensor = getattr(self, name)
            if tensor is not None:  # e.g. a Linear layer without bias
                yield prefix + name, tensor
        for child_name, child in self.named_children():
            yield from child._named(
                getattr(child, kind), kind, f"{prefix}{child_name}."
            )

    def named_parameters(self) -> Iterator[tuple[str, torch.Tensor]]:
        """Every trainable tensor, with a dotted name such as `"2.weight"`."""
        return self._named(self.parameter_names, "parameter_names", "")

    def parameters(self) -> list[torch.Tensor]:
        """Every trainable tensor, in a fixed order."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self) -> Iterator[tuple[str, torch.Tensor]]:
        """Every non-trainable state tensor (running statistics), with its dotted
        name."""
        return self._named(self.buffer_names, "buffer_names", "")

    def train(self, mode: bool = True) -> "Module":
        """Switch this module and all its sub-modules to training (or evaluation)
        mode."""
        self.training = mode
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: BatchNorm uses its running statistics and leaves them
        alone."""
        return self.train(False)

    def num_parameters(self) -> int:
        """How many numbers gradient descent adjusts."""
        return sum(p.numel() for p in self.parameters())

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        """Next-character probabilities: the softmax of the logits over the last
        axis."""
        return F.softmax(self(x), dim=-1)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Parameters and buffers by name, detached: what a checkpoint stores."""
        return {
            k: v.detach().clone()
            for k, v in [*self.named_parameters(), *self.named_buffers()]
        }

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Copy saved tensors into this module; names and shapes must match exactly."""
        own = dict([*self.named_parameters(), *self.named_buffers()])
        missing, unexpected = (
            sorted(own.keys() - state.keys()),
            sorted(state.keys() - own),
        )
        if missing or unexpected:
            raise ValueError(
                f"state does not fit this model: missing {missing}, unexpected "
                f"{unexpected}"
            )
        for name, tensor in own.items():
            if state[name].shape != tensor.shape:
                raise ValueError(
                    f"{name}: saved shape {tuple(state[name].shape)}, "
                    f"model shape {tuple(tensor.shape)}"
                )
            with torch.no_grad():
                tensor.copy_(state[name])


class Configured:
    """Mixin of a whole model built from a frozen configuration dataclass
    (`self.config`): the context length it reads, and the keyword arguments that rebuild
    it from a checkpoint. A subclass also names itself with a `kind` string for the
    checkpoint."""

    config: Any
    kind: str

    @property
    def block_size(self) -> int:
        """Characters of context the model reads."""
        return self.config.block_size

    def config_dict(self) -> dict:
        """Keyword arguments of the configuration class that rebuild this model."""
        return asdict(self.config)


class Linear(Module):
    """`x @ weight + bias`, with `weight` of shape `(fan_in, fan_out)`.

    The weights start as standard normal noise times `gain / sqrt(fan_in)`: each output
    then sums `fan_in` products, and dividing by `sqrt(fan_in)` keeps its variance near
    `gain²` instead of growing with the width (LeCun et al., 1998). Use `gain=5/3`
    before a tanh (PyTorch's `calculate_gain("tanh")`), whose squashing shrinks the
    spread that the gain restores; He et al. (2015) derived `sqrt(2)` for ReLU. The bias
    starts at 0.

    Args:
        fan_in: Input features.
        fan_out: Output features.
        bias: Add a bias (leave it out before a BatchNorm, which subtracts it again).
        gain: Multiplies the initial weights.
        generator: Where the initial weights come from (for reproducible runs).
    """

    parameter_names = ("weight", "bias")

    def __init__(
        self,
        fan_in: int,
        fan_out: int,
        bias: bool = True,
        *,
        gain: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> None:
        self.fan_in = _positive_int(fan_in, "fan_in")
        self.fan_out = _positive_int(fan_out, "fan_out")
        weight = (
            torch.randn((fan_in, fan_out), generator=generator) * gain / fan_in**0.5
        )
        self.weight = weight.requires_grad_()
        self.bias = torch.zeros(fan_out, requires_grad=True) if bias else None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.fan_in:
            raise ValueError(
                f"Linear({self.fan_in}, {self.fan_out}) expects inputs whose last "
                f"dimension is {self.fan_in}, got shape {tuple(x.shape)}"
            )
        self.out = x @ self.weight
        if self.bias is not None:
            self.out = self.out + self.bias
        return self.out

    def __repr__(self) -> str:
        return f"Linear({self.fan_in}, {self.fan_out}, bias={self.bias is not None})"


class BatchNorm1d(Module):
    """Normalize each feature over the batch, then scale by `gamma` and shift by `beta`.

    Training mode uses the statistics of the current batch and updates running averages
    of them; evaluation mode uses the running averages, so the output for one example no
    longer depends on the rest of the batch (and a batch of one works).

    As in `torch.nn.BatchNorm1d`, the batch is normalized with the *biased* variance
    (divide by n) while the running variance tracks the *unbiased* one (divide by n −
    1); `unbiased=True` normalizes with the unbiased variance too, as the lecture's
    version does.

    Args:
        dim: Number of features (the last axis of the input).
        eps: Added to the variance before the square root, so a constant feature does
            not divide by zero.
        momentum: Weight of the current batch in the running averages.
        unbiased: Normalize with the unbiased batch variance.
    """

    parameter_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var")

    def __init__(
        self,
        dim: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        *,
        unbiased: bool = False,
    ) -> None:
        self.dim = _positive_int(dim, "dim")
        if eps < 0 or not 0 <= momentum <= 1:
            raise ValueError(
                f"need eps >= 0 and 0 <= momentum <= 1, got {eps!r}, {momentum!r}"
            )
        self.eps, self.momentum, self.unbiased = eps, momentum, unbiased
        self.gamma = torch.ones(dim, requires_grad=True)
        self.beta = torch.zeros(dim, requires_grad=True)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def stat_dims(self, x: torch.Tensor) -> tuple[int, ...]:
        """The axes the statistics are taken over: the batch axis of a `(batch, dim)`
        input.

        A subclass for sequence inputs `(batch, time, dim)` returns `(0, 1)` here (see
        `zero_to_hero.makemore.wavenet.BatchNorm`).
        """
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(
                f"BatchNorm1d({self.dim}) expects inputs of shape (batch, {self.dim}), "
                f"got {tuple(x.shape)}"
            )
        return (0,)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        dims = self.stat_dims(x)
        if self.training:
            n = math.prod(x.shape[d] for d in dims)  # examples per statistic
            if n < 2:
                raise ValueError(
                    "BatchNorm1d in training mode needs at least 2 examples per "
                    "feature to estimate a variance; call .eval() to use the running "
                    "statistics instead"
                )
            mean = x.mean(dims, keepdim=True)
            var = x.var(dims, keepdim=True, unbiased=self.unbiased)
        else:
            mean, var = self.running_mean, self.running_var
        xhat = (x - mean) / torch.sqrt(var + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():  # a running average, not something to differentiate
                m = self.momentum
                batch_var = var if self.unbiased else var * n / (n - 1)
                shape = self.running_mean.shape  # (dim,), or one row per position
                self.running_mean = (1 - m) * self.running_mean + m * mean.reshape(
                    shape
                )
                self.running_var = (1 - m) * self.running_var + m * batch_var.reshape(
                    shape
                )
        return self.out

    def __repr__(self) -> str:
        return f"BatchNorm1d({self.dim}, eps={self.eps:g}, momentum={self.momentum:g})"


class Tanh(Module):
    """The elementwise hyperbolic tangent, squashing each value into (−1, 1)."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.out = torch.tanh(x)
        return self.out

    def __repr__(self) -> str:
        return "Tanh()"


class Embedding(Module):
    """A lookup table: row `i` of `weight` is the vector of token `i`.

    Indexing a row is the same as multiplying a one-hot vector by the table, only
    faster.

    Args:
        num_embeddings: Vocabulary size (rows).
        embedding_dim: Size of each vector (columns).
        generator: Where the initial (standard normal) table comes from.
    """

    parameter_names = ("weight",)

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        self.num_embeddings = _positive_int(num_embeddings, "num_embeddings")
        self.embedding_dim = _positive_int(embedding_dim, "embedding_dim")
        shape = (num_embeddings, embedding_dim)
        self.weight = torch.randn(shape, generator=generator).requires_grad_()

    def __call__(self, ix: torch.Tensor) -> torch.Tensor:
        if ix.dtype not in (torch.int64, torch.int32):
            raise TypeError(
                f"Embedding expects integer token ids, got a {ix.dtype} tensor"
            )
        self.out = self.weight[ix]
        return self.out

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"


class Flatten(Module):
    """`(batch, a, b, ...)` → `(batch, a·b·...)`: concatenates the context's
    embeddings."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.out = x.view(x.shape[0], -1)
        return self.out

    def __repr__(self) -> str:
        return "Flatten()"


class Sequential(Module):
    """Layers applied one after the other; its parameters are theirs, in order."""

    def __init__(self, layers: Iterable[Module]) -> None:
        self.layers = list(layers)
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Module):
                raise TypeError(f"layer {i} is a {type(layer).__name__}, not a Module")

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for i, layer in enumerate(self.layers):
            yield str(i), layer

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return x

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"
