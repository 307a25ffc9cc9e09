"""Sampling text from a language model, one token at a time.

A model gives logits for the next token at every position; to generate we keep only the
last position's, sharpen or flatten them with a temperature, optionally keep only the
`top_k` most likely tokens, sample one, append it, and repeat with the longer context.
"""

from __future__ import annotations

import torch
from torch import nn

from zero_to_hero.modes import eval_mode

__all__ = ["generate"]


def _check(
    idx: torch.Tensor, max_new_tokens: int, temperature: float, top_k, vocab_size: int
):
    if idx.dim() != 2 or idx.dtype != torch.long or idx.shape[1] == 0:
        raise ValueError(
            "idx must be a non-empty (B, T) tensor of token ids (torch.long), got "
            f"shape {tuple(idx.shape)} and dtype {idx.dtype}"
        )
    if (
        isinstance(max_new_tokens, bool)
        or not isinstance(max_new_tokens, int)
        or max_new_tokens < 0
    ):
        raise ValueError(f"max_new_tokens must be an int >= 0, got {max_new_tokens!r}")
    if not temperature > 0:
        raise ValueError(
            f"temperature must be > 0, got {temperature!r} (use a small value such as "
            "0.01 for nearly greedy sampling)"
        )
    if top_k is not None and (isinstance(top_k, bool) or not 1 <= top_k <= vocab_size):
        raise ValueError(
            f"top_k must be None or an int in 1..{vocab_size}, got {top_k!r}"
        )
    if int(idx.min()) < 0 or int(idx.max()) >= vocab_size:
        raise ValueError(f"token ids must be in 0..{vocab_size - 1}")


@torch.no_grad()
def generate(
    model: nn.Module,
    idx: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    generator: torch.Generator | None = None,
    block_size: int | None = None,
) -> torch.Tensor:
    """Append `max_new_tokens` sampled ids to each row of `idx`.

    Args:
        model: Has a `vocab_size` and returns `(logits, loss)` for ids `(B, T)`, with
            logits `(B, T, vocab_size)`.
        idx: The prompt, `(B, T)` token ids.
        max_new_tokens: How many ids to add.
        temperature: Divides the logits: below 1 is more conservative, above 1 more
            random.
        top_k: If set, sample only among the `top_k` most likely ids.
        generator: Random source, for reproducible samples.
        block_size: The longest context the model reads; longer contexts are cropped to
            their last `block_size` ids. None: no limit.

    Returns:
        `(B, T + max_new_tokens)` ids: the prompt followed by the samples.
    """
    vocab_size = model.vocab_size
    _check(idx, max_new_tokens, temperature, top_k, vocab_size)
    with eval_mode(model):
        for _ in range(max_new_tokens):
            context = idx if block_size is None else idx[:, -block_size:]
            logits, _ = model(context)
            # only the last position predicts the future
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                kth_largest = torch.topk(logits, top_k).values[:, [-1]]
                logits = logits.masked_fill(logits < kth_largest, float("-inf"))
            probs = logits.softmax(dim=-1)
            next_id = torch.multinomial(probs, num_samples=1, generator=generator)
            idx = torch.cat([idx, next_id], dim=1)
    return idx
