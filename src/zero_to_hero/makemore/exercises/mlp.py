"""Solutions to the exercises of the MLP page: the loss at initialization, a learning
rate read off the sweep, Bengio et al.'s direct connections, a quick recipe that beats
the lecture, and what the embeddings learned about vowels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import torch
import torch.nn.functional as F

from zero_to_hero.makemore.deep import DeepMLPConfig
from zero_to_hero.makemore.mlp import MLP, MLPConfig
from zero_to_hero.makemore.recipes import BEYOND
from zero_to_hero.vocab import CharVocab

__all__ = ["initial_loss", "suggest_lr", "DirectMLP", "QUICK", "vowel_similarity"]


def initial_loss(
    config: MLPConfig, X: torch.Tensor, Y: torch.Tensor, seed: int = 0
) -> float:
    """The loss of a freshly initialized MLP on `(X, Y)`: compare it with `ln 27`, the
    loss of a model that gives every character the same probability."""
    model = MLP(config, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return F.cross_entropy(model(X), Y).item()


def suggest_lr(
    exponents: Sequence[float], losses: Sequence[float], window: int = 100
) -> float:
    """Read a learning rate off a learning-rate sweep: smooth the losses with a moving
    average of `window` steps (one minibatch is noisy) and return the rate where the
    smoothed loss is lowest."""
    if len(losses) != len(exponents) or len(losses) < window:
        raise ValueError(f"need as many losses as exponents, at least {window} of them")
    kernel = torch.ones(1, 1, window) / window
    # moving average
    smooth = F.conv1d(torch.tensor(losses).view(1, 1, -1), kernel).view(-1)
    return 10 ** exponents[int(smooth.argmin()) + window // 2]


class DirectMLP(MLP):
    """The MLP with Bengio et al.'s optional *direct connections*: the concatenated
    embeddings also reach the logits through a matrix `Wd`, skipping the hidden layer.

    `Wd` starts at zero (drawn after the other tensors, so they are initialized exactly
    as in `MLP`), so the untrained model computes the same function as the plain MLP.
    """

    def __init__(
        self, config: MLPConfig, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__(config, generator=generator)
        fan_in = config.n_embd * config.block_size
        self.Wd = torch.zeros((fan_in, config.vocab_size), requires_grad=True)
        self.parameter_names = (*self.parameter_names, "Wd")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """The MLP's logits plus the direct connections' `embcat @ Wd`."""
        logits = super().__call__(x)
        embcat = self.C[x].view(x.shape[0], -1)
        self.out = logits + embcat @ self.Wd
        return self.out


#: Context 8, one BatchNorm layer of 128 tanh units, AdamW: 2,000 steps of 128 examples
#: (a few seconds) beat the lecture's 200,000-step MLP on validation.
QUICK = replace(
    BEYOND,
    name="quick",
    model=DeepMLPConfig(
        block_size=8, n_embd=16, n_hidden=128, n_layers=1, output_batchnorm=False
    ),
    training=replace(BEYOND.training, steps=2_000, warmup=40),
)


def vowel_similarity(
    C: torch.Tensor, vocab: CharVocab, vowels: str = "aeiouy"
) -> tuple[float, float]:
    """Mean cosine similarity of the embeddings of two different vowels, and of a vowel
    and a consonant. A model that learned that vowels behave alike puts them closer
    together."""
    unit = F.normalize(C.detach(), dim=1)
    sim = unit @ unit.T
    v = torch.tensor([vocab.stoi(c) for c in vowels])
    consonants = [
        i for i, c in enumerate(vocab.chars) if c.isalpha() and c not in vowels
    ]
    within = sim[v][:, v]
    n = len(vowels)
    # leave out self
    within_mean = (within.sum() - within.diagonal().sum()) / (n * n - n)
    return within_mean.item(), sim[v][:, consonants].mean().item()
