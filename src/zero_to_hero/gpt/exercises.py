"""Solutions to the exercises at the end of the attention and GPT chapter."""

from __future__ import annotations

import math

import torch
from torch import nn

from zero_to_hero.gpt.model import GPT

__all__ = [
    "attention_einsum",
    "leaks_the_future",
    "sinusoidal_positions",
    "use_sinusoidal_positions",
    "top_p_filter",
    "TINY_IMPROVED",
]


def attention_einsum(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True
) -> torch.Tensor:
    """Scaled dot-product attention with `torch.einsum`, for `(B, H, T, d)` inputs."""
    d, T = q.shape[-1], q.shape[-2]
    scores = torch.einsum("bhtd,bhsd->bhts", q, k) / math.sqrt(d)
    if causal:
        future = torch.ones(T, T, dtype=torch.bool, device=q.device).triu(diagonal=1)
        scores = scores.masked_fill(future, float("-inf"))
    return torch.einsum("bhts,bhsd->bhtd", scores.softmax(dim=-1), v)


@torch.no_grad()
def leaks_the_future(
    model: nn.Module, vocab_size: int, T: int, trials: int = 5
) -> bool:
    """True if some output at position `t` changes when only tokens after `t` change."""
    g = torch.Generator().manual_seed(0)
    model.eval()
    for _ in range(trials):
        idx = torch.randint(vocab_size, (1, T), generator=g)
        t = int(torch.randint(T - 1, (1,), generator=g))
        changed = idx.clone()
        changed[0, t + 1 :] = torch.randint(vocab_size, (T - t - 1,), generator=g)
        before, _ = model(idx)
        after, _ = model(changed)
        if not torch.allclose(before[:, : t + 1], after[:, : t + 1], atol=1e-6):
            return True
    return False


def sinusoidal_positions(block_size: int, n_embd: int) -> torch.Tensor:
    """The fixed position encodings of "Attention Is All You Need": channel `2i` of
    position `t` is `sin(t / 10000^(2i/n_embd))`, channel `2i + 1` the cosine of the
    same angle."""
    if n_embd % 2:
        raise ValueError(f"n_embd must be even, got {n_embd}")
    angles = torch.outer(
        torch.arange(block_size, dtype=torch.float32),
        10000 ** (-torch.arange(0, n_embd, 2, dtype=torch.float32) / n_embd),
    )
    table = torch.zeros(block_size, n_embd)
    table[:, 0::2] = angles.sin()
    table[:, 1::2] = angles.cos()
    return table


def use_sinusoidal_positions(model: GPT) -> GPT:
    """Replace a GPT's learned position embeddings by fixed sinusoids (not trained).

    The sinusoids are scaled to the size of the token embeddings: entries near ±1 added
    to token embeddings of about ±0.02 would drown them. (The original Transformer
    scales the token embeddings up by √C instead.)
    """
    if model.position_embedding is None:
        raise ValueError(
            "this model has no position embeddings (it uses rotary positions)"
        )
    c = model.config
    table = sinusoidal_positions(c.block_size, c.n_embd)
    with torch.no_grad():
        scale = model.token_embedding.weight.std() / table.std()
        model.position_embedding.weight.copy_(table * scale)
    model.position_embedding.weight.requires_grad_(False)
    return model


def top_p_filter(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Keep the smallest set of most likely ids whose probabilities add up to at least
    `p` (nucleus sampling); the others get `-inf`. `logits` is `(B, vocab_size)`."""
    if not 0 < p <= 1:
        raise ValueError(f"p must be in (0, 1], got {p!r}")
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    # drop an id if the ids before it already reach p (so the first id always stays)
    drop_sorted = (cumulative - sorted_logits.softmax(dim=-1)) >= p
    drop = drop_sorted.scatter(-1, order, drop_sorted)
    return logits.masked_fill(drop, float("-inf"))


#: Settings that beat the `tiny` recipe with the same steps, batches and context and
#: fewer parameters: rotary positions (no position embedding to learn), and a higher
#: learning rate after a shorter warm-up, decaying all the way to zero.
TINY_IMPROVED = dict(position="rotary", learning_rate=1e-2, warmup_iters=10, min_lr=0.0)
