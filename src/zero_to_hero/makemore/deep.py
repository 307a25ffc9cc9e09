"""The MLP rebuilt from layers, as deep as you like: the lectures' "PyTorch-ified"
network.

    Embedding → Flatten → n_layers × [Linear → BatchNorm1d → Tanh]
              → Linear → BatchNorm1d

With `batchnorm=False` the hidden Linear layers get a bias and there is no
normalization, so the network's health depends on the initialization alone (the `gain`
of the hidden layers): the experiments of the initialization chapter. The last layer
starts small (`last_scale`), so the initial predictions are close to uniform instead of
confidently wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from zero_to_hero.makemore.layers import (
    BatchNorm1d,
    Configured,
    Embedding,
    Flatten,
    Linear,
    Module,
    Sequential,
    Tanh,
)
from zero_to_hero.modes import eval_mode

__all__ = ["DeepMLPConfig", "DeepMLP", "calibrate_batchnorm"]


@dataclass(frozen=True)
class DeepMLPConfig:
    """Sizes, initialization and normalization of a `DeepMLP`.

    The defaults are the lecture's deeper network: 5 hidden layers of 100 tanh units
    with BatchNorm, 47,024 parameters.
    """

    vocab_size: int = 27
    block_size: int = 3
    n_embd: int = 10
    n_hidden: int = 100
    n_layers: int = 5
    batchnorm: bool = True
    output_batchnorm: bool = True  # normalize the logits too (only with batchnorm)
    gain: float = 5 / 3  # multiplies the Kaiming-scaled weights of the hidden layers
    last_scale: float = (
        0.1  # the last BatchNorm's gamma (or the last weights without BN)
    )
    bn_eps: float = 1e-5
    bn_momentum: float = 0.1

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_embd", "n_hidden", "n_layers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")


class DeepMLP(Configured, Sequential):
    """A `Sequential` built from a `DeepMLPConfig`; all weights come from one generator.

    Examples:
        >>> model = DeepMLP(
        ...     DeepMLPConfig(), generator=torch.Generator().manual_seed(2147483647)
        ... )
        >>> model.num_parameters()
        47024
    """

    def __init__(
        self, config: DeepMLPConfig, *, generator: torch.Generator | None = None
    ) -> None:
        self.config = c = config
        g = generator
        bn = c.batchnorm
        layers: list[Module] = [
            Embedding(c.vocab_size, c.n_embd, generator=g),
            Flatten(),
        ]
        fan_in = c.n_embd * c.block_size
        for _ in range(c.n_layers):
            # Before a BatchNorm a bias is wasted: the normalization subtracts it right
            # away.
            layers.append(
                Linear(fan_in, c.n_hidden, bias=not bn, gain=c.gain, generator=g)
            )
            if bn:
                layers.append(BatchNorm1d(c.n_hidden, c.bn_eps, c.bn_momentum))
            layers.append(Tanh())
            fan_in = c.n_hidden
        output_bn = bn and c.output_batchnorm
        last = Linear(fan_in, c.vocab_size, bias=not output_bn, generator=g)
        layers.append(last)
        with torch.no_grad():  # start with small logits: nearly uniform predictions
            if output_bn:
                layers.append(BatchNorm1d(c.vocab_size, c.bn_eps, c.bn_momentum))
                layers[-1].gamma *= c.last_scale
            else:
                last.weight *= c.last_scale
        super().__init__(layers)

    kind = "makemore.deep"


@torch.no_grad()
def calibrate_batchnorm(model: Sequential, X: torch.Tensor) -> None:
    """Set every BatchNorm's running statistics to the exact mean and variance of its
    inputs over all of `X` (the training set), instead of the running averages of
    training.

    The running averages mix statistics from all along training, when the weights were
    still moving; one pass over the data with the final weights measures what evaluation
    will see.
    """
    with eval_mode(model):
        x = X
        for layer in model.layers:
            if isinstance(layer, BatchNorm1d):
                dims = layer.stat_dims(x)
                layer.running_mean = x.mean(dims)
                layer.running_var = x.var(dims)  # unbiased, as the running variance is
            x = layer(x)
