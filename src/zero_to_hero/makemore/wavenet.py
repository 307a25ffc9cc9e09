"""A hierarchical MLP in the style of WaveNet: the context is merged two characters at a
time.

The MLPs so far squash the whole context into the first hidden layer at once. This model
merges it gradually, like a tree: the embeddings of neighbouring characters are joined
in pairs, each pair goes through a `Linear → BatchNorm → Tanh` layer, the results are
joined in pairs again, and so on until one vector is left:

    8 characters ─► 4 pairs ─► 2 quadruples ─► 1 vector ─► 27 logits

`FlattenConsecutive(n)` does the joining: `(batch, time, channels)` → `(batch, time / n,
channels · n)`. The `Linear` layers act on the last axis only, so the same weights
process every group of a level: computed at every position of a longer sequence, that is
a *dilated causal convolution*, the building block of WaveNet (van den Oord et al.,
2016), and `logits_at_every_position` computes it so.

Two BatchNorm layers: `BatchNorm` takes its statistics over every axis but the last
(batch *and* time for a 3-D input), `PositionBatchNorm` over the batch axis only, which
keeps separate statistics for each position: the bug of the lecture's first hierarchical
run, kept to measure what it cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from zero_to_hero.makemore.layers import (
    BatchNorm1d,
    Configured,
    Embedding,
    Flatten,
    Linear,
    Module,
    Sequential,
    Tanh,
)
from zero_to_hero.modes import eval_mode

__all__ = [
    "FlattenConsecutive",
    "Dropout",
    "BatchNorm",
    "PositionBatchNorm",
    "WaveNetConfig",
    "WaveNet",
    "logits_at_every_position",
]


class FlattenConsecutive(Module):
    """Join every `n` neighbouring positions: `(batch, time, channels)` →
    `(batch, time // n, channels · n)`.

    The output always keeps its three axes, even when a single position is left, so that
    the layer can be stacked as deep as the context allows. (The lecture's version
    squeezes the time axis away once it has length 1; the rank of its output then
    depends on the depth.)

    Examples:
        >>> # 2 examples, 4 positions, 3 channels
        >>> x = torch.arange(2 * 4 * 3).view(2, 4, 3)
        >>> FlattenConsecutive(2)(x)[0]
        tensor([[ 0,  1,  2,  3,  4,  5],
                [ 6,  7,  8,  9, 10, 11]])
    """

    def __init__(self, n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        self.n = n

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3:
            raise ValueError(
                f"FlattenConsecutive({self.n}) expects (batch, time, channels), "
                f"got shape {tuple(x.shape)}"
            )
        B, T, C = x.shape
        if T % self.n:
            raise ValueError(
                f"FlattenConsecutive({self.n}) cannot join {T} positions in groups of "
                f"{self.n}: {T} is not a multiple of {self.n}"
            )
        # Rows of a contiguous (T, C) block are consecutive in memory, so viewing n of
        # them as one row concatenates them: oldest position first.
        self.out = x.reshape(B, T // self.n, C * self.n)
        return self.out

    def __repr__(self) -> str:
        return f"FlattenConsecutive({self.n})"


class Dropout(Module):
    """In training mode, zero each value with probability `p` and scale the survivors by
    `1 / (1 − p)`, so that the expected value is unchanged; in evaluation mode, do
    nothing.

    Every unit then has to be useful without counting on any particular other one, which
    keeps a large network from memorizing its training set (Srivastava et al., 2014).

    Args:
        p: The probability of dropping a value.
        generator: Draws the masks (seed it for reproducible training).
    """

    def __init__(self, p: float, *, generator: torch.Generator | None = None) -> None:
        if not 0 <= p < 1:
            raise ValueError(f"p must be in [0, 1), got {p!r}")
        self.p, self.generator = p, generator

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.p > 0:
            keep = torch.rand(x.shape, generator=self.generator) >= self.p
            x = x * keep / (1 - self.p)
        self.out = x
        return x

    def __repr__(self) -> str:
        return f"Dropout({self.p:g})"


class BatchNorm(BatchNorm1d):
    """BatchNorm over every axis but the last: one mean and variance per channel, taken
    over all examples *and* all positions of a `(batch, time, channels)` input."""

    def stat_dims(self, x: torch.Tensor) -> tuple[int, ...]:
        """`(0,)` for `(batch, dim)`, `(0, 1)` for `(batch, time, dim)`."""
        if x.ndim not in (2, 3) or x.shape[-1] != self.dim:
            raise ValueError(
                f"BatchNorm({self.dim}) expects (batch, {self.dim}) or "
                f"(batch, time, {self.dim}), got {tuple(x.shape)}"
            )
        return tuple(range(x.ndim - 1))

    def __repr__(self) -> str:
        return f"BatchNorm({self.dim}, eps={self.eps:g}, momentum={self.momentum:g})"


class PositionBatchNorm(BatchNorm1d):
    """The lecture's first, buggy BatchNorm for 3-D inputs: statistics over the batch
    axis only, so each of the `positions` gets its own mean and variance (and running
    statistics).

    Each statistic is then estimated from `batch` numbers instead of `batch ×
    positions`, and the positions, which the next layer treats alike, are normalized
    differently.
    """

    def __init__(
        self, dim: int, positions: int, eps: float = 1e-5, momentum: float = 0.1, **kw
    ):
        super().__init__(dim, eps, momentum, **kw)
        if (
            isinstance(positions, bool)
            or not isinstance(positions, int)
            or positions < 1
        ):
            raise ValueError(f"positions must be a positive int, got {positions!r}")
        self.positions = positions
        self.running_mean = torch.zeros(positions, dim)
        self.running_var = torch.ones(positions, dim)

    def stat_dims(self, x: torch.Tensor) -> tuple[int, ...]:
        """`(0,)`: the batch axis only, also for a `(batch, time, dim)` input."""
        if x.ndim != 3 or x.shape[1:] != (self.positions, self.dim):
            raise ValueError(
                f"PositionBatchNorm({self.dim}, positions={self.positions}) expects "
                f"(batch, {self.positions}, {self.dim}), got {tuple(x.shape)}"
            )
        return (0,)

    def __repr__(self) -> str:
        return f"PositionBatchNorm({self.dim}, positions={self.positions})"


@dataclass(frozen=True)
class WaveNetConfig:
    """Sizes of a `WaveNet` and how its layers start and normalize.

    The defaults are the lecture's final model: context 8 merged in pairs three times,
    embeddings of 24, 128 hidden units per level, 76,579 parameters. The lecture's
    BatchNorm normalizes with the unbiased variance (`bn_unbiased`), unlike
    `torch.nn.BatchNorm1d`.

    `merges` lists how many positions each level joins; the context length is their
    product. `(8,)` joins the whole context at once: the plain MLP of the earlier
    chapters.
    """

    vocab_size: int = 27
    n_embd: int = 24
    n_hidden: int = 128
    merges: tuple[int, ...] = (2, 2, 2)
    last_scale: float = 0.1  # the output layer's weights start this small
    bn_eps: float = 1e-5
    bn_momentum: float = 0.1
    bn_unbiased: bool = True
    per_position_bn: bool = False  # the lecture's BatchNorm bug (`PositionBatchNorm`)
    dropout: float = 0.0  # after every hidden level (0: no Dropout layers at all)

    def __post_init__(self) -> None:
        for name in ("vocab_size", "n_embd", "n_hidden"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        merges = tuple(self.merges)  # a checkpoint's config comes back with a list
        if not merges or any(
            isinstance(k, bool) or not isinstance(k, int) or k < 1 for k in merges
        ):
            raise ValueError(
                f"merges must be a non-empty tuple of positive ints, got {merges!r}"
            )
        object.__setattr__(self, "merges", merges)

    @property
    def block_size(self) -> int:
        """Characters of context: the product of `merges`."""
        return math.prod(self.merges)


class WaveNet(Configured, Sequential):
    """Embedding → one `[join, Linear, BatchNorm, Tanh]` level per entry of `merges` →
    Linear.

    Every level but the last joins its groups with `FlattenConsecutive`; the last one
    joins all that is left with `Flatten`, so the logits have shape `(batch,
    vocab_size)` however deep the stack. All weights come from one generator, in layer
    order (the lecture seeds PyTorch's global generator with 42 and builds the layers in
    this same order).

    Examples:
        >>> model = WaveNet(
        ...     WaveNetConfig(), generator=torch.Generator().manual_seed(42)
        ... )
        >>> model.num_parameters()
        76579
        >>> model(torch.zeros((5, 8), dtype=torch.int64)).shape
        torch.Size([5, 27])
    """

    def __init__(
        self, config: WaveNetConfig, *, generator: torch.Generator | None = None
    ) -> None:
        self.config = c = config
        g = generator
        embedding = Embedding(c.vocab_size, c.n_embd, generator=g)
        # [join, Linear, BatchNorm, Tanh(, Dropout)]
        self.levels: list[list[Module]] = []
        positions, width = c.block_size, c.n_embd
        for k in c.merges:
            positions //= k
            join = FlattenConsecutive(k) if positions > 1 else Flatten()
            # No bias: the BatchNorm right after subtracts it again.
            linear = Linear(width * k, c.n_hidden, bias=False, generator=g)
            bn_args = (c.bn_eps, c.bn_momentum)
            if c.per_position_bn and positions > 1:
                bn = PositionBatchNorm(
                    c.n_hidden, positions, *bn_args, unbiased=c.bn_unbiased
                )
            else:
                bn = BatchNorm(c.n_hidden, *bn_args, unbiased=c.bn_unbiased)
            level = [join, linear, bn, Tanh()]
            if c.dropout:
                level.append(Dropout(c.dropout, generator=g))
            self.levels.append(level)
            width = c.n_hidden
        head = Linear(width, c.vocab_size, generator=g)
        with torch.no_grad():
            head.weight *= c.last_scale  # start close to uniform predictions
        super().__init__(
            [embedding, *(layer for level in self.levels for layer in level), head]
        )

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != self.block_size:
            raise ValueError(
                f"this WaveNet reads contexts of {self.block_size} characters: "
                f"expected token ids of shape (batch, {self.block_size}), got "
                f"{tuple(x.shape)}"
            )
        return super().__call__(x)

    kind = "makemore.wavenet"


@torch.no_grad()
def logits_at_every_position(model: WaveNet, ids: torch.Tensor) -> torch.Tensor:
    """The model's logits for *every* window of `block_size` characters of `ids`, at
    once.

    Each level becomes a dilated causal convolution: its output at position `t` joins
    the previous level's outputs at `t − (k − 1)·d, …, t − d, t`, where `k` is the
    level's merge and the dilation `d` is the product of the merges below it.
    Neighbouring windows share most of their tree, and here each shared node is computed
    once instead of once per window.

    Args:
        model: A `WaveNet` with one BatchNorm statistic per channel (evaluation mode is
            used).
        ids: Token ids `(batch, length)`, `length >= block_size`.

    Returns:
        `(batch, length − block_size + 1, vocab_size)`: entry `t` holds the logits for
        the window `ids[:, t : t + block_size]`, the same as `model(window)` in
        evaluation mode.
    """
    if ids.ndim != 2 or ids.shape[1] < model.block_size:
        raise ValueError(
            f"expected token ids (batch, length >= {model.block_size}), got "
            f"{tuple(ids.shape)}"
        )
    if any(isinstance(layer, PositionBatchNorm) for layer in model.layers):
        raise ValueError(
            "per-position BatchNorm statistics make the levels position-dependent"
        )
    with eval_mode(model):
        x = model.layers[0](ids)  # the embeddings, (batch, length, n_embd)
        dilation = 1
        for k, (_, *layers) in zip(model.config.merges, model.levels):
            # positions with a full window below
            width = x.shape[1] - (k - 1) * dilation
            taps = [x[:, j * dilation : j * dilation + width] for j in range(k)]
            x = torch.cat(taps, dim=-1)  # oldest tap first, as the tree joins them
            for layer in layers:  # Linear, BatchNorm, Tanh (and Dropout, a no-op here)
                x = layer(x)
            dilation *= k
        return model.layers[-1](x)
