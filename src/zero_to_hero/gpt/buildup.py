"""The chapter's build-up: from the bigram to a GPT, one idea at a time, each trained
alike.

Every stage is trained by `fit` with the same small recipe (same batches, same steps,
same learning rate), so the differences in validation loss come from the architecture
alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from zero_to_hero.gpt.bigram import BigramLanguageModel
from zero_to_hero.gpt.data import CharDataset, get_batch
from zero_to_hero.gpt.model import GPT, GPTConfig
from zero_to_hero.gpt.training import TrainConfig, lr_at, split_loss

__all__ = ["Stage", "PLAIN", "ATTENTION_ONLY", "STAGES", "fit", "build"]


@dataclass(frozen=True)
class Stage:
    """One step of the build-up: a name and the `GPTConfig` fields it sets (None:
    bigram)."""

    name: str
    changes: dict[str, Any] | None = field(default=None)


# As in the lecture's build-up: PyTorch's default initialisation, whose scale follows
# each layer's width (GPT-2's small fixed one would fade the signal in the stages that
# have no residual stream yet), and an output layer of its own.
PLAIN = dict(init="pytorch", tie_weights=False)

# One layer of attention alone: no feed-forward, no residual stream, no LayerNorm.
ATTENTION_ONLY = dict(
    PLAIN, n_layer=1, feed_forward=False, residual=False, layer_norm=False
)

STAGES = [
    Stage("bigram"),
    Stage("+ self-attention (1 head)", {**ATTENTION_ONLY, "n_head": 1}),
    Stage("+ multi-head (4 heads)", {**ATTENTION_ONLY, "n_head": 4}),
    Stage("+ feed-forward", {**ATTENTION_ONLY, "feed_forward": True}),
    Stage("+ residual connections and LayerNorm, 2 blocks", {**PLAIN, "n_layer": 2}),
]


def build(
    stage: Stage, vocab_size: int, block_size: int, n_embd: int, seed: int = 0
) -> nn.Module:
    """The stage's model, initialised from `seed`."""
    torch.manual_seed(seed)
    if stage.changes is None:
        return BigramLanguageModel(vocab_size)
    base = dict(vocab_size=vocab_size, block_size=block_size, n_embd=n_embd, n_head=4)
    return GPT(GPTConfig(**{**base, **stage.changes}))


def fit(
    model: nn.Module,
    data: CharDataset,
    steps: int,
    block_size: int,
    batch_size: int = 32,
    learning_rate: float = 3e-3,
    seed: int = 0,
) -> float:
    """Train with AdamW on seeded batches, the learning rate warming up over the first
    tenth of the steps and then following a cosine down to a tenth; return the loss on
    the whole validation split (`split_loss`)."""
    schedule = TrainConfig(
        max_iters=steps,
        learning_rate=learning_rate,
        min_lr=learning_rate / 10,
        warmup_iters=steps // 10,
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    batches = torch.Generator().manual_seed(seed)
    model.train()
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, schedule)
        _, loss = model(*get_batch(data.train, batch_size, block_size, batches))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return split_loss(model, data.val, block_size)
