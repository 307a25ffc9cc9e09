"""GPT's sibling: the same blocks without the causal mask, trained to fill in hidden
characters.

A BERT-style model sees the whole sequence at once, so predicting the next character
would be trivial (it is right there). Instead some positions are replaced by a special
`MASK` id and the model must recover them from both sides. The model is a `GPT` with
`causal=False` and one extra id in its vocabulary for `MASK`.
"""

from __future__ import annotations

import torch

from zero_to_hero.gpt.model import GPT
from zero_to_hero.modes import eval_mode
from zero_to_hero.vocab import CharVocab

__all__ = ["IGNORE", "mask_tokens", "fill_in", "recovery_accuracy"]

#: Target id that `torch.nn.functional.cross_entropy` skips (its default
#: `ignore_index`).
IGNORE = -100


def mask_tokens(
    x: torch.Tensor,
    mask_id: int,
    rate: float = 0.15,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Hide `round(rate * T)` random positions of each row behind `mask_id` (at least
    one).

    Returns:
        `(inputs, targets)`: `inputs` is `x` with the chosen positions set to `mask_id`;
        `targets` holds the original id there and `IGNORE` everywhere else, so the loss
        only counts the hidden positions.
    """
    if x.dim() != 2:
        raise ValueError(f"expected ids of shape (B, T), got {tuple(x.shape)}")
    if not 0 < rate < 1:
        raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
    B, T = x.shape
    n_masked = max(1, round(rate * T))
    # The n_masked smallest of T random numbers per row: a uniform choice of positions.
    scores = torch.rand(B, T, generator=generator).to(x.device)
    hidden = torch.zeros(B, T, dtype=torch.bool, device=x.device)
    hidden.scatter_(1, scores.argsort(dim=1)[:, :n_masked], True)
    inputs = x.masked_fill(hidden, mask_id)
    targets = x.masked_fill(~hidden, IGNORE)
    return inputs, targets


@torch.no_grad()
def fill_in(model: GPT, vocab: CharVocab, text: str, blank: str = "_") -> str:
    """Replace every `blank` in `text` by the model's most likely character.

    A bidirectional model (`config.causal` False) sees both sides of every blank at
    once: the blanks become `MASK` ids (id `vocab.size`). A causal model only has the
    left context: each blank gets the most likely next character after everything before
    it, left to right.
    """
    if blank in vocab.chars:
        raise ValueError(
            f"the blank {blank!r} is a character of the vocabulary; choose another"
        )
    if len(text) > model.config.block_size:
        raise ValueError(
            f"text has {len(text)} characters; the model reads at most "
            f"{model.config.block_size}"
        )
    holes = [i for i, c in enumerate(text) if c == blank]
    ids = [vocab.size if c == blank else vocab.stoi(c) for c in text]
    if model.config.causal and holes and holes[0] == 0:
        raise ValueError(
            "a causal model cannot fill the first position: it has no context"
        )
    with eval_mode(model):
        if not model.config.causal:
            logits, _ = model(torch.tensor([ids]))
            for i in holes:
                # never predict MASK itself
                ids[i] = int(logits[0, i, : vocab.size].argmax())
        else:
            for i in holes:  # left to right, each guess becomes context for the next
                logits, _ = model(torch.tensor([ids[:i]]))
                ids[i] = int(logits[0, -1, : vocab.size].argmax())
    return vocab.decode(ids)


@torch.no_grad()
def recovery_accuracy(
    model: GPT, x: torch.Tensor, hidden: torch.Tensor, mask_id: int
) -> float:
    """How often the model's most likely character at a hidden position is the true one.

    Args:
        model: A GPT (causal) or a BERT (bidirectional, with `mask_id` in its
            vocabulary).
        x: The true ids, `(B, T)`.
        hidden: `(B, T)` booleans, the positions to recover. Position 0 is skipped: a
            causal model has nothing to go on there.
        mask_id: The `MASK` id; also the number of real characters.

    A BERT sees `x` with the hidden positions replaced by `MASK`, on both sides. A
    causal model reads the true text and predicts each position from everything to its
    left only.
    """
    if x.shape != hidden.shape or x.dim() != 2:
        raise ValueError(
            f"x and hidden must both be (B, T), got {tuple(x.shape)} and "
            f"{tuple(hidden.shape)}"
        )
    hidden = hidden.clone()
    hidden[:, 0] = False
    with eval_mode(model):
        if model.config.causal:
            logits, _ = model(x)  # logits at t - 1 are the prediction for t
            guess = torch.zeros_like(x)
            guess[:, 1:] = logits[:, :-1, :mask_id].argmax(dim=-1)
        else:
            logits, _ = model(x.masked_fill(hidden, mask_id))
            guess = logits[..., :mask_id].argmax(dim=-1)
    return (guess[hidden] == x[hidden]).float().mean().item()
