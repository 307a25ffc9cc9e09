"""Bigram models: predict the next character from the current one alone.

Two ways to get the same model. The *counts* model tallies, over every name, how often
each character follows each other character, and normalizes each row of the 27×27 table
into a probability distribution: the maximum-likelihood estimate. The *neural* bigram
has a 27×27 weight matrix `W`; a character's one-hot vector times `W` gives 27 logits, a
softmax turns them into probabilities, and gradient descent on the negative
log-likelihood finds the `W` whose softmax rows match the counts. The first is exact and
instant; the second is the template every later model follows (logits → softmax →
cross-entropy → backprop).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from zero_to_hero.makemore.dataset import build_windows
from zero_to_hero.makemore.layers import Module
from zero_to_hero.vocab import CharVocab

__all__ = [
    "count_bigrams",
    "BigramCounts",
    "NeuralBigram",
    "train_neural_bigram",
    "StepLoss",
]


def count_bigrams(words: Sequence[str], vocab: CharVocab) -> torch.Tensor:
    """`N[i, j]`: how often character `j` follows character `i`, boundaries included.

    Row 0 (the boundary `.`) counts how names start and column 0 how they end.

    Examples:
        >>> vocab = CharVocab.from_words(["ab", "b"])
        >>> count_bigrams(["ab", "b"], vocab).tolist()
        [[0, 1, 1], [0, 0, 1], [2, 0, 0]]
    """
    X, Y = build_windows(words, vocab, block_size=1)
    V = vocab.size
    # Each (i, j) pair becomes the single index i·V + j; counting those counts the
    # pairs.
    return torch.bincount(X[:, 0] * V + Y, minlength=V * V).reshape(V, V)


class BigramCounts(Module):
    """The counts table as a model: `P[i] = (N[i] + smoothing) / sum(N[i] + smoothing)`.

    Adding `smoothing` to every count ("add-one" or Laplace smoothing for 1) gives
    unseen pairs a small probability instead of zero, so no name has probability 0 (and
    an infinite loss). It also pulls rare rows towards uniform: a bit of regularization.

    Args:
        counts: The `(V, V)` bigram counts (`count_bigrams`).
        smoothing: Pseudo-count added to every cell (≥ 0).
    """

    buffer_names = ("counts",)
    block_size = 1  # the context it reads: one character
    kind = "makemore.bigram"

    def __init__(self, counts: torch.Tensor, smoothing: float = 1.0) -> None:
        if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
            raise ValueError(
                f"counts must be a square matrix, got shape {tuple(counts.shape)}"
            )
        if smoothing < 0:
            raise ValueError(f"smoothing must be >= 0, got {smoothing!r}")
        self.counts = counts
        self.smoothing = smoothing
        P = counts.float() + smoothing
        self.P = P / P.sum(1, keepdim=True)  # each row sums to 1

    @classmethod
    def fit(
        cls, words: Sequence[str], vocab: CharVocab, smoothing: float = 1.0
    ) -> "BigramCounts":
        """Count the bigrams of `words` and normalize."""
        return cls(count_bigrams(words, vocab), smoothing)

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        """Next-character probabilities given contexts `(N, block_size)`: the row of the
        last character."""
        return self.P[x[:, -1]]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Log-probabilities, used as logits (their softmax gives back `probs`)."""
        return self.probs(x).log()

    def nll(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """Average negative log-likelihood of targets `y` given contexts `x`.

        It is infinite when some pair has probability 0, as unsmoothed counts give to
        every pair never seen in training.
        """
        logp = self.P[x[:, -1], y].log()
        # float64 sum: 228,146 terms, no rounding drift
        return -logp.double().mean().item()

    def config_dict(self) -> dict:
        """What rebuilds this model, besides its counts."""
        return {"vocab_size": self.counts.shape[0], "smoothing": self.smoothing}

    @classmethod
    def from_config(cls, vocab_size: int, smoothing: float) -> "BigramCounts":
        """An empty (all-zero) counts model, to load a state into."""
        return cls(torch.zeros((vocab_size, vocab_size), dtype=torch.int64), smoothing)

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Restore the counts (and with them the probability table)."""
        super().load_state_dict(state)
        self.P = BigramCounts(self.counts, self.smoothing).P


class NeuralBigram(Module):
    """One linear layer without bias: `logits = one_hot(x) @ W`, `W` of shape `(V, V)`.

    Multiplying a one-hot vector by `W` picks out one row of `W`, so the forward pass
    indexes the row directly (the same numbers, without the wasted multiplications by
    zero). `exp(W)` plays the role of the counts: after training, `softmax(W[i])` ≈ the
    counts model's row `i`.

    Args:
        vocab_size: Number of characters.
        generator: Where the initial standard normal `W` comes from.
    """

    parameter_names = ("W",)
    block_size = 1
    kind = "makemore.neural-bigram"

    def __init__(
        self, vocab_size: int = 27, *, generator: torch.Generator | None = None
    ) -> None:
        self.vocab_size = vocab_size
        self.W = torch.randn(
            (vocab_size, vocab_size), generator=generator
        ).requires_grad_()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for contexts `x` of shape `(N, block_size)`: only the last character
        counts."""
        self.out = self.W[x[:, -1]]
        return self.out

    def loss(
        self, x: torch.Tensor, y: torch.Tensor, reg: float = 0.01
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """`(loss, nll)`: the cross-entropy `nll` of targets `y`, and `nll + reg ·
        mean(W²)`.

        The second term pulls `W` towards 0, where every row is uniform: it acts like
        the counts model's smoothing.
        """
        nll = F.cross_entropy(self(x), y)
        return nll + reg * (self.W**2).mean(), nll

    def loss_from_counts(
        self, counts: torch.Tensor, reg: float = 0.01
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The same `(loss, nll)` over a whole data set, computed from its bigram
        counts.

        Pair `(i, j)` occurs `counts[i, j]` times, and every occurrence adds the same
        `−log softmax(W[i])[j]` to the sum: so the 27×27 counts are all the loss needs
        to know about the 228,146 examples, and a full-batch step costs microseconds.
        """
        logp = F.log_softmax(self.W, dim=1)
        nll = -(counts * logp).sum() / counts.sum()
        return nll + reg * (self.W**2).mean(), nll

    def config_dict(self) -> dict:
        """What rebuilds this model, besides its weights."""
        return {"vocab_size": self.vocab_size}


@dataclass(frozen=True)
class StepLoss:
    """The full-batch losses measured at one step, before that step's update."""

    step: int
    loss: float  # negative log-likelihood plus the regularization term
    nll: float  # negative log-likelihood alone


def train_neural_bigram(
    model: NeuralBigram,
    x: torch.Tensor | None = None,
    y: torch.Tensor | None = None,
    steps: int = 100,
    lr: float = 50.0,
    reg: float = 0.01,
    *,
    counts: torch.Tensor | None = None,
    on_step: Callable[[StepLoss], None] | None = None,
) -> list[StepLoss]:
    """Full-batch gradient descent: every step sees every example.

    With one linear layer and a softmax the loss is smooth and convex in `W`, so a
    learning rate as large as 50 works.

    Args:
        model: The model to train (in place).
        x: All the contexts, `(N, block_size)`.
        y: All the targets, `(N,)`.
        steps: Gradient-descent steps.
        lr: Learning rate.
        reg: Weight of the `mean(W²)` penalty.
        counts: Instead of `x, y`: their bigram counts (same losses, much faster).
        on_step: Called with each step's losses.

    Returns:
        The losses measured at every step, before its update.
    """
    if (counts is None) == (x is None or y is None):
        raise ValueError("give either the examples x and y, or their counts, not both")
    history = []
    for step in range(steps):
        if counts is None:
            loss, nll = model.loss(x, y, reg)
        else:
            loss, nll = model.loss_from_counts(counts, reg)
        model.W.grad = None
        loss.backward()
        with torch.no_grad():
            model.W += -lr * model.W.grad
        history.append(StepLoss(step, loss.item(), nll.item()))
        if on_step is not None:
            on_step(history[-1])
    return history
