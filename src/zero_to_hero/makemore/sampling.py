"""Generate names from a model, one character at a time.

Start with a context of boundary tokens, ask the model for the distribution of the next
character, draw one, slide the context, and repeat until the model draws the boundary
token (the end of the name).

The draw is *inverse-CDF sampling*: take one uniform number `u` in [0, 1) and return the
first character whose cumulative probability exceeds `u`. It is the method
`torch.multinomial` used for single draws with replacement when the lectures were
recorded, so with the same seed it draws the lectures' names; newer PyTorch versions
switched single draws to another algorithm (exponential races), which draws different
names from the same seed.
"""

from __future__ import annotations

import torch

from zero_to_hero.makemore.layers import Module
from zero_to_hero.modes import eval_mode
from zero_to_hero.vocab import CharVocab

__all__ = ["sample_index", "sample_names"]


def sample_index(p: torch.Tensor, generator: torch.Generator | None = None) -> int:
    """Draw an index with probability proportional to `p` (1-D, non-negative, not all
    0).

    Examples:
        >>> g = torch.Generator().manual_seed(0)
        >>> [sample_index(torch.tensor([0.0, 1.0, 0.0]), g) for _ in range(3)]
        [1, 1, 1]
    """
    if p.ndim != 1 or p.numel() == 0:
        raise ValueError(
            f"expected a 1-D tensor of probabilities, got shape {tuple(p.shape)}"
        )
    cdf = torch.cumsum(p.double(), 0)
    total = cdf[-1].item()
    if not total > 0 or torch.isnan(cdf).any() or (p < 0).any():
        raise ValueError("probabilities must be non-negative, finite and not all zero")
    u = torch.rand((), dtype=torch.float64, generator=generator)
    # The first index whose cumulative probability is above u: zero-probability entries
    # have no width, so they are never drawn.
    return int(torch.searchsorted(cdf / total, u, right=True).clamp(max=p.numel() - 1))


@torch.no_grad()
def sample_names(
    model: Module,
    vocab: CharVocab,
    block_size: int,
    n: int = 10,
    generator: torch.Generator | None = None,
    max_length: int = 50,
) -> list[str]:
    """Draw `n` names from `model`, each ending with the boundary token.

    The model is switched to evaluation mode for the draws (a BatchNorm layer then uses
    its running statistics, which a batch of one example needs) and back afterwards.

    Args:
        model: Maps contexts `(1, block_size)` to next-character probabilities
            (`model.probs`).
        vocab: The model's vocabulary; its boundary token starts and ends names.
        block_size: Context length the model reads.
        n: How many names.
        generator: Random source (seed it for reproducible names).
        max_length: Stop a name that has not ended after this many characters (a badly
            trained model may never draw the boundary); such a name has no final `.`.
    """
    if vocab.boundary is None:
        raise ValueError("sampling names needs a vocabulary with a boundary token")
    boundary = vocab.stoi(vocab.boundary)
    with eval_mode(model):
        names = []
        for _ in range(n):
            context, out = [boundary] * block_size, []
            while len(out) < max_length:
                p = model.probs(torch.tensor([context]))[0]
                ix = sample_index(p, generator)
                out.append(ix)
                context = [*context[1:], ix]
                if ix == boundary:
                    break
            names.append(vocab.decode(out))
        return names
