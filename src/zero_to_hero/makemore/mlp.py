"""The multi-layer perceptron of Bengio et al. (2003), written with bare tensors.

Each of the `block_size` context characters is looked up in an embedding table `C` (27 ×
`n_embd`); the vectors are concatenated and fed to a tanh hidden layer (`W1`, `b1`),
whose output a linear layer (`W2`, `b2`) turns into 27 logits. Optionally, a
batch-normalization step sits between the hidden layer's linear part and its tanh, with
its own gain and bias and running statistics (the lecture's first BatchNorm, before the
layers are wrapped in classes).

Every tensor starts as standard normal noise times a scale (`MLPConfig`), drawn from one
`torch.Generator` in the order C, W1, b1, W2, b2. Those scales are the knobs of the
initialization chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from zero_to_hero.makemore.layers import Configured, Module

__all__ = ["MLPConfig", "MLP"]


@dataclass(frozen=True)
class MLPConfig:
    """The size of the MLP and how each of its tensors is initialized.

    Each weight starts as `randn(shape) * scale`; `W1` is additionally divided by
    `sqrt(fan_in)` when `w1_fan_in` is set (Kaiming's scaling, with `w1_scale` as the
    gain). The defaults are the lecture's first MLP: no scaling at all.
    """

    vocab_size: int = 27
    block_size: int = 3
    n_embd: int = 10
    n_hidden: int = 200
    hidden_bias: bool = (
        True  # b1; redundant before a BatchNorm, which subtracts the mean
    )
    batchnorm: bool = False
    bn_momentum: float = 0.001
    w1_scale: float = 1.0
    w1_fan_in: bool = False
    b1_scale: float = 1.0
    w2_scale: float = 1.0
    b2_scale: float = 1.0

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_embd", "n_hidden"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not 0 < self.bn_momentum <= 1:
            raise ValueError(f"bn_momentum must be in (0, 1], got {self.bn_momentum!r}")


class MLP(Configured, Module):
    """Embedding → concatenation → tanh hidden layer (optionally batch-normalized) →
    logits.

    Args:
        config: Sizes and initial scales.
        generator: Where the initial weights come from, in the order C, W1, b1, W2, b2.

    Examples:
        >>> model = MLP(
        ...     MLPConfig(), generator=torch.Generator().manual_seed(2147483647)
        ... )
        >>> model.num_parameters()
        11897
        >>> model(torch.zeros((4, 3), dtype=torch.int64)).shape
        torch.Size([4, 27])
    """

    buffer_names = ("bnmean_running", "bnstd_running")

    def __init__(
        self, config: MLPConfig, *, generator: torch.Generator | None = None
    ) -> None:
        self.config = c = config
        fan_in = c.n_embd * c.block_size
        g = generator

        def randn(*shape: int) -> torch.Tensor:
            return torch.randn(shape, generator=g)

        C = randn(c.vocab_size, c.n_embd)
        W1 = randn(fan_in, c.n_hidden) * c.w1_scale
        if c.w1_fan_in:
            W1 = W1 / fan_in**0.5
        b1 = randn(c.n_hidden) * c.b1_scale if c.hidden_bias else None
        W2 = randn(c.n_hidden, c.vocab_size) * c.w2_scale
        b2 = randn(c.vocab_size) * c.b2_scale
        self.C, self.W1, self.b1, self.W2, self.b2 = C, W1, b1, W2, b2
        names = ["C", "W1", "b1", "W2", "b2"]
        if c.batchnorm:
            self.bngain = torch.ones((1, c.n_hidden))
            self.bnbias = torch.zeros((1, c.n_hidden))
            names += ["bngain", "bnbias"]
        # Running statistics for evaluation, updated during training (not by gradients).
        self.bnmean_running = torch.zeros((1, c.n_hidden)) if c.batchnorm else None
        self.bnstd_running = torch.ones((1, c.n_hidden)) if c.batchnorm else None
        self.parameter_names = tuple(names)
        for p in self.parameters():
            p.requires_grad_()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Logits `(N, vocab_size)` for contexts `x` of shape `(N, block_size)`."""
        c = self.config
        if x.ndim != 2 or x.shape[1] != c.block_size:
            raise ValueError(
                f"expected contexts of shape (N, {c.block_size}), got {tuple(x.shape)}"
            )
        emb = self.C[x]  # (N, block_size, n_embd)
        embcat = emb.view(emb.shape[0], -1)  # (N, block_size * n_embd): concatenate
        hpreact = embcat @ self.W1
        if self.b1 is not None:
            hpreact = hpreact + self.b1
        if c.batchnorm:
            hpreact = self.batch_norm(hpreact)
        self.h = torch.tanh(hpreact)  # kept for the saturation diagnostics
        self.hpreact = hpreact
        self.out = self.h @ self.W2 + self.b2
        return self.out

    def batch_norm(self, hpreact: torch.Tensor) -> torch.Tensor:
        """Standardize each hidden unit over the batch (the batch's mean and standard
        deviation in training, running averages of them in evaluation), then scale and
        shift. Like the lecture: the unbiased standard deviation, no epsilon."""
        if not self.training:
            return (
                self.bngain * (hpreact - self.bnmean_running) / self.bnstd_running
                + self.bnbias
            )
        if hpreact.shape[0] < 2:
            raise ValueError(
                "batch norm in training mode needs a batch of at least 2; use eval()"
            )
        mean = hpreact.mean(0, keepdim=True)
        std = hpreact.std(0, keepdim=True)
        with torch.no_grad():
            m = self.config.bn_momentum
            self.bnmean_running = (1 - m) * self.bnmean_running + m * mean
            self.bnstd_running = (1 - m) * self.bnstd_running + m * std
        return self.bngain * (hpreact - mean) / std + self.bnbias

    kind = "makemore.mlp"

    def __repr__(self) -> str:
        return f"MLP({self.config})"
