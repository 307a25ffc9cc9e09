"""The lecture's layers, as short as they can be: the version to read first.

Six classes with the interface of `torch.nn` and nothing else. A layer holds its
parameters as plain tensors with `requires_grad=True`, lists them in `parameters()`
and computes its output in `__call__`; autograd does the backward pass. Every layer
keeps its last output in `self.out`, to look inside a network after a forward pass.

The package's models are built from `zero_to_hero.makemore.layers` instead, which
computes exactly the same numbers (the tests compare the two bit for bit) and adds what
a library needs: a `Module` base class that names every parameter and buffer (for
checkpoints), `train()` and `eval()` for a whole network, and clear errors for inputs
of the wrong shape or type.
"""

import torch

__all__ = ["Linear", "BatchNorm1d", "Tanh", "Embedding", "Flatten", "Sequential"]


class Linear:
    """`x @ weight + bias`, with `weight` of shape `(fan_in, fan_out)`.

    The weights start as standard normal noise times `gain / sqrt(fan_in)` (LeCun et
    al., 1998): the output then keeps the spread of the input instead of growing with
    the width. Use `gain=5/3` before a tanh (PyTorch's `calculate_gain("tanh")`), or
    `sqrt(2)` before a ReLU (He et al., 2015). The bias starts at 0.
    """

    def __init__(
        self,
        fan_in: int,
        fan_out: int,
        bias: bool = True,
        *,
        gain: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> None:
        weight = torch.randn((fan_in, fan_out), generator=generator)
        self.weight = (weight * gain / fan_in**0.5).requires_grad_()
        self.bias = torch.zeros(fan_out, requires_grad=True) if bias else None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """The last axis of `x` times the weights, plus the bias."""
        self.out = x @ self.weight
        if self.bias is not None:
            self.out = self.out + self.bias
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        """The weights, then the bias (if any)."""
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    """Normalize each feature over the batch, then scale by `gamma`, shift by `beta`.

    As `torch.nn.BatchNorm1d`: a batch is normalized with its *biased* variance
    (divide by n), the running variance tracks the *unbiased* one (divide by n − 1).
    Set `training = False` to normalize with the running statistics instead.
    """

    def __init__(self, dim: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        self.eps = eps
        self.momentum = momentum
        self.training = True
        # parameters, trained by backpropagation
        self.gamma = torch.ones(dim, requires_grad=True)
        self.beta = torch.zeros(dim, requires_grad=True)
        # buffers, updated with a running average during training
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """`gamma · (x − mean) / sqrt(var + eps) + beta`, for `x` of shape
        `(batch, dim)`."""
        if self.training:
            xmean = x.mean(0)  # the batch's mean
            xvar = x.var(0, unbiased=False)  # and its variance
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # unit variance
        self.out = self.gamma * xhat + self.beta
        if self.training:
            n, m = x.shape[0], self.momentum
            with torch.no_grad():
                self.running_mean = (1 - m) * self.running_mean + m * xmean
                unbiased = xvar * n / (n - 1)
                self.running_var = (1 - m) * self.running_var + m * unbiased
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        """The gain and the bias (not the running statistics: no gradient reaches
        them)."""
        return [self.gamma, self.beta]


class Tanh:
    """The elementwise hyperbolic tangent."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """`tanh(x)`, each value squashed into (−1, 1)."""
        self.out = torch.tanh(x)
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        """None."""
        return []


class Embedding:
    """A lookup table: row `i` of `weight` is the vector of token `i`."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        shape = (num_embeddings, embedding_dim)
        self.weight = torch.randn(shape, generator=generator).requires_grad_()

    def __call__(self, ix: torch.Tensor) -> torch.Tensor:
        """The rows of the token ids `ix`: shape `(*ix.shape, embedding_dim)`."""
        self.out = self.weight[ix]
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        """The table."""
        return [self.weight]


class Flatten:
    """`(batch, a, b, ...)` → `(batch, a · b · ...)`: concatenates the context's
    embeddings."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """The same numbers, one row per example."""
        self.out = x.view(x.shape[0], -1)
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        """None."""
        return []


class Sequential:
    """Layers applied one after the other."""

    def __init__(self, layers: list) -> None:
        self.layers = layers

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """The output of the last layer."""
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        """The parameters of every layer, in order."""
        return [p for layer in self.layers for p in layer.parameters()]
