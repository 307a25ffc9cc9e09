"""Solutions to the exercises of the bigram page: n-gram counts, smoothing chosen on
validation data, the counts as a point in the neural bigram's weight space, and why
`F.cross_entropy` exists."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from zero_to_hero.makemore.bigram import BigramCounts
from zero_to_hero.makemore.dataset import Splits, build_windows
from zero_to_hero.vocab import CharVocab

__all__ = [
    "context_ids",
    "ngram_counts",
    "ngram_nll",
    "best_smoothing",
    "bigram_weights_from_counts",
    "naive_nll",
]


def context_ids(X: torch.Tensor, V: int) -> torch.Tensor:
    """Each context of k characters (a row of `X`) as one integer in [0, V**k): the
    characters are its digits in base V."""
    k = X.shape[1]
    return (X * V ** torch.arange(k - 1, -1, -1)).sum(1)


def ngram_counts(words: Sequence[str], vocab: CharVocab, n: int = 3) -> torch.Tensor:
    """`N[c, j]`: how often character `j` follows the `n − 1` characters numbered
    `c`."""
    V = vocab.size
    X, Y = build_windows(words, vocab, block_size=n - 1)
    counts = torch.bincount(context_ids(X, V) * V + Y, minlength=V**n)
    return counts.reshape(V ** (n - 1), V)


def ngram_nll(
    counts: torch.Tensor, words: Sequence[str], vocab: CharVocab, smoothing: float = 1.0
) -> float:
    """Average negative log-likelihood of `words` under the smoothed n-gram counts."""
    n = round(math.log(counts.numel(), vocab.size))
    P = counts.float() + smoothing
    P = P / P.sum(1, keepdim=True)
    X, Y = build_windows(words, vocab, block_size=n - 1)
    return -P[context_ids(X, vocab.size), Y].log().double().mean().item()


def best_smoothing(
    splits: Splits,
    n: int,
    candidates: Sequence[float] = (0.001, 0.01, 0.1, 0.3, 1.0, 3.0),
) -> tuple[float, dict[float, float]]:
    """The smoothing with the lowest *validation* loss, and every candidate's loss.

    The test split is not looked at: it is kept for one final measurement of the choice.
    """
    counts = ngram_counts(splits.train.words, splits.vocab, n)
    losses = {
        s: ngram_nll(counts, splits.val.words, splits.vocab, s) for s in candidates
    }
    return min(losses, key=losses.get), losses


def bigram_weights_from_counts(
    counts: torch.Tensor, smoothing: float = 1.0
) -> torch.Tensor:
    """A neural bigram's `W` that reproduces the smoothed counts model exactly: `log P`.

    The softmax of a row of `log P` is that row of `P` again, since `P`'s rows already
    sum to 1. So the counts model is one point in the neural model's weight space, the
    point gradient descent walks towards.
    """
    return BigramCounts(counts, smoothing).P.log()


def naive_nll(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy the long way: exponentiate, normalize, take the log of the target's
    probability. Fine for small logits; `exp` overflows to `inf` above about 88
    (float32)."""
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdim=True)
    return -probs[torch.arange(len(y)), y].log().mean()
