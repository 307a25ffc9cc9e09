"""Solutions to the exercises of the WaveNet page: the parameter count by hand, which
outputs an input can reach, the levels as `torch.nn.Conv1d` layers, and a deeper
tree with a longer context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import torch

from zero_to_hero.makemore.dataset import make_splits
from zero_to_hero.makemore.recipes import WAVENET_STAGES, run_recipe
from zero_to_hero.makemore.wavenet import (
    WaveNet,
    WaveNetConfig,
    logits_at_every_position,
)

__all__ = [
    "wavenet_parameter_count",
    "receptive_field",
    "conv1d_levels",
    "conv1d_logits",
    "deeper_context",
]


def wavenet_parameter_count(config: WaveNetConfig) -> int:
    """Embedding table, then per level a weight matrix (no bias) and BatchNorm's gain
    and bias, then the output layer with its bias."""
    V, E, H = config.vocab_size, config.n_embd, config.n_hidden
    count, width = V * E, E
    for k in config.merges:
        count += width * k * H + 2 * H
        width = H
    return count + H * V + V


def receptive_field(
    model: WaveNet, length: int, position: int, seed: int = 0
) -> list[int]:
    """Which outputs of `logits_at_every_position` change when the input at `position`
    does (output `t` is the window ending at input `t + block_size − 1`)."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, 27, (1, length), generator=g)
    changed = ids.clone()
    changed[0, position] = (ids[0, position] % 26) + 1  # another letter
    a = logits_at_every_position(model, ids)
    b = logits_at_every_position(model, changed)
    return [t for t in range(a.shape[1]) if not torch.equal(a[0, t], b[0, t])]


def conv1d_levels(model: WaveNet) -> list[torch.nn.Conv1d]:
    """One `nn.Conv1d` per level of a WaveNet, with the level's weights: kernel size
    `k`, dilation the product of the merges below."""
    convs, dilation = [], 1
    for k, (_, linear, *_) in zip(model.config.merges, model.levels):
        fan_in, out = linear.weight.shape
        conv = torch.nn.Conv1d(
            fan_in // k, out, kernel_size=k, dilation=dilation, bias=False
        )
        # (k · in, out) → (out, in, k): tap j is rows j·in … (j+1)·in
        with torch.no_grad():
            conv.weight.copy_(
                linear.weight.T.reshape(out, k, fan_in // k).transpose(1, 2)
            )
        convs.append(conv)
        dilation *= k
    return convs


@torch.no_grad()
def conv1d_logits(model: WaveNet, ids: torch.Tensor) -> torch.Tensor:
    """`logits_at_every_position`, with `nn.Conv1d` for the joins and the weights."""
    model.eval()
    x = model.layers[0](ids).transpose(1, 2)  # (batch, channels, time)
    for conv, (_, _, *rest) in zip(conv1d_levels(model), model.levels):
        # back to (batch, time, channels) for BatchNorm and tanh
        x = conv(x).transpose(1, 2)
        for layer in rest:
            x = layer(x)
        x = x.transpose(1, 2)
    return model.layers[-1](x.transpose(1, 2))


def deeper_context(names: Sequence[str], steps: int = 2000) -> dict[int, float]:
    """The lecture's WaveNet recipe with 3 levels (context 8) and 4 levels (context 16),
    both trained for `steps` steps: the validation loss of each, by context length."""
    lecture = WAVENET_STAGES["wavenet"]
    losses = {}
    for merges in [(2, 2, 2), (2, 2, 2, 2)]:
        r = replace(lecture, model=replace(lecture.model, merges=merges))
        splits = make_splits(names, block_size=r.block_size)
        run = run_recipe(r, splits, steps, splits_to_eval=("val",))
        losses[r.block_size] = run.losses["val"]
    return losses
