"""Choosing the next token from the last position's logits: greedy, temperature, top-k
and nucleus (top-p) sampling.

The filters run in the order Hugging Face's `generate` applies them: divide by the
temperature, keep the `top_k` largest logits, then keep the smallest set of most likely
tokens whose probabilities add up to `top_p` (Holtzman et al., 2019,
https://arxiv.org/abs/1904.09751). A filtered-out token gets the logit -inf, so its
probability is exactly 0.
"""

from __future__ import annotations

import torch

__all__ = ["top_k_filter", "top_p_filter", "next_token", "check_generate_args"]


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Logits `(B, V)` with all but the `k` largest of each row set to -inf (ties
    with the k-th are kept; a `k` above V keeps all)."""
    kth_largest = torch.topk(logits, min(k, logits.shape[-1])).values[:, [-1]]
    return logits.masked_fill(logits < kth_largest, float("-inf"))


def top_p_filter(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Logits `(B, V)` with only the most likely tokens whose probabilities add up to
    at least `p` kept; the others set to -inf. The most likely token is always kept."""
    sorted_logits, order = torch.sort(logits, dim=-1)  # least likely first
    # the mass of each token and all the less likely ones
    tail = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    # drop the unlikely tail while it weighs at most 1 - p: what stays weighs ≥ p
    drop_sorted = tail <= 1 - p
    drop_sorted[..., -1] = False
    drop = drop_sorted.scatter(-1, order, drop_sorted)  # back to vocabulary order
    return logits.masked_fill(drop, float("-inf"))


def next_token(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One id `(B, 1)` per row of the last position's logits `(B, V)`: the most likely
    one if `temperature` is 0, else a sample from the filtered distribution."""
    if temperature == 0:
        return logits.argmax(dim=-1, keepdim=True)
    logits = logits / temperature
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    probs = logits.softmax(dim=-1)
    return torch.multinomial(probs, num_samples=1, generator=generator)


def check_generate_args(
    idx: torch.Tensor,
    max_new_tokens: int,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    vocab_size: int,
) -> None:
    """Raise a `ValueError` that says what was expected, before any work starts."""
    if idx.dim() != 2 or idx.dtype != torch.long or 0 in idx.shape:
        raise ValueError(
            "idx must be a non-empty (B, T) tensor of token ids (torch.long), got "
            f"shape {tuple(idx.shape)} and dtype {idx.dtype}"
        )
    if int(idx.min()) < 0 or int(idx.max()) >= vocab_size:
        raise ValueError(
            f"token ids must be in 0..{vocab_size - 1}, got values in "
            f"{int(idx.min())}..{int(idx.max())}"
        )
    if (
        isinstance(max_new_tokens, bool)
        or not isinstance(max_new_tokens, int)
        or max_new_tokens < 0
    ):
        raise ValueError(f"max_new_tokens must be an int >= 0, got {max_new_tokens!r}")
    if isinstance(temperature, bool) or not temperature >= 0:
        raise ValueError(f"temperature must be >= 0 (0: greedy), got {temperature!r}")
    if top_k is not None and (
        isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1
    ):
        raise ValueError(f"top_k must be None or an int >= 1, got {top_k!r}")
    if top_p is not None and (isinstance(top_p, bool) or not 0 < top_p <= 1):
        raise ValueError(f"top_p must be None or in (0, 1], got {top_p!r}")
