"""Backpropagation by hand through the BatchNorm MLP: every gradient written out, then
fused.

The network is the lecture's: embedding → Linear → BatchNorm → tanh → Linear →
cross-entropy, with the BatchNorm written with Bessel's correction (the variance divides
by n − 1) and an epsilon of 1e-5. Its forward pass is broken into atomic steps
(`forward_steps`), each small enough to differentiate in one line, and `backward_steps`
walks back through them, writing the gradient of the loss with respect to every
intermediate tensor. `compare` then holds each hand-written gradient against the one
autograd computed, bit for bit.

Once every step is right, whole blocks collapse into short formulas: the cross-entropy's
gradient is `(softmax − one-hot) / n` (`cross_entropy_backward`), BatchNorm's is the one
derived in `bnmath`. `BackpropMLP.backward` uses only those, and `train_by_hand` trains
the network with it, no autograd anywhere.

The init is deliberately unusual (a random BatchNorm gain and bias, small non-zero
output bias): zeros and ones could hide a wrong gradient by making it vanish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, fields

import torch
import torch.nn.functional as F

from zero_to_hero.makemore.bnmath import batchnorm_backward, batchnorm_forward
from zero_to_hero.makemore.layers import Configured, Module
from zero_to_hero.makemore.train import History, evaluate, step_decay

__all__ = [
    "BackpropConfig",
    "BackpropMLP",
    "Steps",
    "forward_steps",
    "backward_steps",
    "GradCheck",
    "compare",
    "gradient_check",
    "embedding_backward",
    "tanh_backward",
    "cross_entropy_backward",
    "calibrate",
    "train_by_hand",
]


@dataclass(frozen=True)
class BackpropConfig:
    """Sizes of the manual-backprop network. The defaults are the gradient-check network
    of the lecture (4,137 parameters); it trains a wider one, `n_hidden=200`
    (12,297)."""

    vocab_size: int = 27
    block_size: int = 3
    n_embd: int = 10
    n_hidden: int = 64
    eps: float = 1e-5

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_embd", "n_hidden"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")


class BackpropMLP(Configured, Module):
    """The lecture's BatchNorm MLP as bare tensors, with a forward pass that remembers
    what its hand-written backward pass needs.

    Training mode normalizes with the batch's mean and unbiased variance; evaluation
    mode with `bnmean` and `bnvar`, which `calibrate` measures on the training set after
    training (this network keeps no running averages).

    Args:
        config: Sizes.
        generator: Draws `C`, `W1`, `b1`, `W2`, `b2`, in this order, as the lecture
            does.
        bn_generator: Draws the BatchNorm gain and bias. The lecture draws them from
            PyTorch's global generator, which it never seeds; by default they come from
            a fresh `torch.Generator()` (seed 67280421310721), so every run starts the
            same.

    Examples:
        >>> model = BackpropMLP(
        ...     BackpropConfig(), generator=torch.Generator().manual_seed(1)
        ... )
        >>> model.num_parameters()
        4137
    """

    parameter_names = ("C", "W1", "b1", "W2", "b2", "bngain", "bnbias")
    buffer_names = ("bnmean", "bnvar")

    def __init__(
        self,
        config: BackpropConfig = BackpropConfig(),
        *,
        generator: torch.Generator | None = None,
        bn_generator: torch.Generator | None = None,
    ) -> None:
        self.config = c = config
        fan_in = c.n_embd * c.block_size
        g, bn_g = generator, bn_generator or torch.Generator()
        self.C = torch.randn((c.vocab_size, c.n_embd), generator=g)
        self.W1 = torch.randn((fan_in, c.n_hidden), generator=g) * (5 / 3) / fan_in**0.5
        self.b1 = torch.randn(c.n_hidden, generator=g) * 0.1  # useless before BatchNorm
        self.W2 = torch.randn((c.n_hidden, c.vocab_size), generator=g) * 0.1
        self.b2 = torch.randn(c.vocab_size, generator=g) * 0.1
        self.bngain = torch.randn((1, c.n_hidden), generator=bn_g) * 0.1 + 1.0
        self.bnbias = torch.randn((1, c.n_hidden), generator=bn_g) * 0.1
        for p in self.parameters():
            p.requires_grad_()
        self.bnmean = torch.zeros((1, c.n_hidden))  # set by calibrate()
        self.bnvar = torch.ones((1, c.n_hidden))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Logits `(N, vocab_size)` for contexts `x` of shape `(N, block_size)`."""
        c = self.config
        if x.ndim != 2 or x.shape[1] != c.block_size:
            raise ValueError(
                f"expected contexts of shape (N, {c.block_size}), got {tuple(x.shape)}"
            )
        emb = self.C[x]
        embcat = emb.view(emb.shape[0], -1)
        hprebn = embcat @ self.W1 + self.b1
        # the batch's statistics, Bessel-corrected; kept for backward()
        if self.training:
            hpreact, bn = batchnorm_forward(
                hprebn, self.bngain, self.bnbias, c.eps, unbiased=True
            )
        else:
            xhat = (hprebn - self.bnmean) * (self.bnvar + c.eps) ** -0.5
            hpreact, bn = self.bngain * xhat + self.bnbias, None
        h = torch.tanh(hpreact)
        self.out = h @ self.W2 + self.b2
        self._saved = (x, embcat, bn, h)
        return self.out

    def backward(self, dlogits: torch.Tensor) -> dict[str, torch.Tensor]:
        """The gradient of every parameter, given `dlogits`, the gradient of the loss
        with respect to the logits of the last training-mode forward pass. No autograd
        involved.

        Returns:
            The gradients by parameter name (`"C"`, `"W1"`, …), each of its parameter's
            shape.
        """
        x, embcat, bn, h = self._saved
        if bn is None:
            raise RuntimeError("backward() needs a forward pass in training mode first")
        dh = dlogits @ self.W2.T  # Linear 2: logits = h @ W2 + b2
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(0)
        dhpreact = tanh_backward(h, dh)
        dhprebn, dbngain, dbnbias = batchnorm_backward(dhpreact, bn)  # see bnmath
        dembcat = dhprebn @ self.W1.T  # Linear 1: hprebn = embcat @ W1 + b1
        dW1 = embcat.T @ dhprebn
        db1 = dhprebn.sum(0)
        dC = embedding_backward(x, dembcat.view(*x.shape, -1), self.config.vocab_size)
        return {"C": dC, "W1": dW1, "b1": db1, "W2": dW2, "b2": db2,
                "bngain": dbngain, "bnbias": dbnbias}  # fmt: skip

    kind = "makemore.backprop"


def embedding_backward(
    ix: torch.Tensor, demb: torch.Tensor, vocab_size: int
) -> torch.Tensor:
    """The gradient of the embedding table, given `demb`, the gradient at `C[ix]`.

    Row `i` of the table receives the sum of the gradients at every place where token
    `i` was looked up. `dC[ix] += demb` does **not** do that: with repeated indices,
    advanced indexing writes each row once (the last write wins), so the repeats are
    lost. `index_add_` adds every one of them.
    """
    dC = torch.zeros((vocab_size, demb.shape[-1]), dtype=demb.dtype)
    return dC.index_add_(0, ix.reshape(-1), demb.reshape(-1, demb.shape[-1]))


def tanh_backward(h: torch.Tensor, dh: torch.Tensor) -> torch.Tensor:
    """The gradient at the input of `h = tanh(x)`, given `dh`: `(1 − h²) · dh`.

    `1 − h²` is computed as one fused multiply-add (`addcmul`), rounded once, as
    PyTorch's own tanh backward does on CPUs with FMA instructions; `(1 - h**2) * dh` is
    the same formula rounded twice, and differs from autograd in the last bit of some
    entries.
    """
    return torch.addcmul(torch.ones_like(h), h, h, value=-1) * dh


def cross_entropy_backward(logits: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """The gradient of `F.cross_entropy(logits, Y)` (the mean over the batch) with
    respect to the logits, in one line: `(softmax(logits) − one_hot(Y)) / n`.

    Each row pulls the logit of the correct character down by `1 − p` and pushes every
    other logit up by its probability `p`; the pulls and pushes of a row sum to zero.
    """
    n = logits.shape[0]
    dlogits = F.softmax(logits, dim=1)
    dlogits[torch.arange(n), Y] -= 1
    return dlogits / n


@dataclass
class Steps:
    """Every intermediate tensor of the forward pass, in the order it is computed."""

    emb: torch.Tensor  # (n, block_size, n_embd): the context's embeddings
    embcat: torch.Tensor  # (n, block_size · n_embd): concatenated
    hprebn: torch.Tensor  # (n, n_hidden): before BatchNorm
    bnmeani: torch.Tensor  # (1, n_hidden): batch mean
    bndiff: torch.Tensor  # (n, n_hidden): minus the mean
    bndiff2: torch.Tensor  # (n, n_hidden): squared
    bnvar: torch.Tensor  # (1, n_hidden): batch variance, Bessel-corrected
    bnvar_inv: torch.Tensor  # (1, n_hidden): 1 / sqrt(var + eps)
    bnraw: torch.Tensor  # (n, n_hidden): normalized
    hpreact: torch.Tensor  # (n, n_hidden): scaled and shifted
    h: torch.Tensor  # (n, n_hidden): tanh
    logits: torch.Tensor  # (n, vocab_size)
    logit_maxes: torch.Tensor  # (n, 1): each row's largest logit
    norm_logits: torch.Tensor  # (n, vocab_size): minus it, so exp cannot overflow
    counts: torch.Tensor  # (n, vocab_size): exp
    counts_sum: torch.Tensor  # (n, 1)
    counts_sum_inv: torch.Tensor  # (n, 1)
    probs: torch.Tensor  # (n, vocab_size): softmax
    logprobs: torch.Tensor  # (n, vocab_size)
    loss: torch.Tensor  # (): mean of −logprobs at the targets


def forward_steps(model: BackpropMLP, Xb: torch.Tensor, Yb: torch.Tensor) -> Steps:
    """The training-mode forward pass of `model`, one elementary operation per line."""
    n, eps = Xb.shape[0], model.config.eps
    emb = model.C[Xb]
    embcat = emb.view(n, -1)
    hprebn = embcat @ model.W1 + model.b1
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)  # Bessel's correction: n − 1
    bnvar_inv = (bnvar + eps) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = model.bngain * bnraw + model.bnbias
    h = torch.tanh(hpreact)
    logits = h @ model.W2 + model.b2
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdim=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[torch.arange(n), Yb].mean()
    return Steps(emb, embcat, hprebn, bnmeani, bndiff, bndiff2, bnvar, bnvar_inv, bnraw,
                 hpreact, h, logits, logit_maxes, norm_logits, counts, counts_sum,
                 counts_sum_inv, probs, logprobs, loss)  # fmt: skip


def backward_steps(
    model: BackpropMLP, s: Steps, Xb: torch.Tensor, Yb: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The gradient of the loss with respect to every tensor of `forward_steps`, by
    hand, from the loss back to the embedding table. Keys name the tensor each gradient
    is for.

    Two rules do most of the work. A tensor used twice receives the *sum* of the
    gradients of its uses (`+=`). A tensor broadcast in the forward pass (`(1, 64)`
    against `(32, 64)`) has its gradient *summed* over the broadcast axis, with
    `keepdim=True` so it keeps its shape.
    """
    n, eps = Xb.shape[0], model.config.eps
    # loss = −mean(logprobs[i, Yb[i]]): only the targets' log-probabilities matter
    dlogprobs = torch.zeros_like(s.logprobs)
    dlogprobs[torch.arange(n), Yb] = -1.0 / n
    dprobs = dlogprobs / s.probs  # log' = 1/x
    # probs = counts * counts_sum_inv, the second broadcast along each row
    dcounts_sum_inv = (s.counts * dprobs).sum(1, keepdim=True)
    dcounts_sum = -(s.counts_sum**-2) * dcounts_sum_inv
    # counts is used twice (in probs and in counts_sum): the two gradients add up
    dcounts = s.counts_sum_inv * dprobs + dcounts_sum
    dnorm_logits = s.counts * dcounts  # exp' = exp
    dlogit_maxes = -dnorm_logits.sum(1, keepdim=True)
    argmax = F.one_hot(s.logits.max(1).indices, s.logits.shape[1])
    # a max routes its gradient to the winner
    dlogits = dnorm_logits + argmax * dlogit_maxes
    dh = dlogits @ model.W2.T
    dW2 = s.h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = tanh_backward(s.h, dh)
    dbngain = (s.bnraw * dhpreact).sum(0, keepdim=True)
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbnraw = model.bngain * dhpreact
    dbnvar_inv = (s.bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (s.bnvar + eps) ** -1.5) * dbnvar_inv
    # the forward multiplied by the rounded number 1/(n − 1), so the backward does too
    dbndiff2 = torch.ones_like(s.bndiff2) * (1 / (n - 1) * dbnvar)
    dbndiff = s.bnvar_inv * dbnraw + 2 * s.bndiff * dbndiff2  # two uses again
    dbnmeani = -dbndiff.sum(0, keepdim=True)
    dhprebn = dbndiff + 1 / n * dbnmeani
    dembcat = dhprebn @ model.W1.T
    dW1 = s.embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(s.emb.shape)
    dC = embedding_backward(Xb, demb, model.config.vocab_size)
    return {"logprobs": dlogprobs, "probs": dprobs, "counts_sum_inv": dcounts_sum_inv,
            "counts_sum": dcounts_sum, "counts": dcounts, "norm_logits": dnorm_logits,
            "logit_maxes": dlogit_maxes, "logits": dlogits,
            "h": dh, "W2": dW2, "b2": db2,
            "hpreact": dhpreact, "bngain": dbngain, "bnbias": dbnbias, "bnraw": dbnraw,
            "bnvar_inv": dbnvar_inv, "bnvar": dbnvar,
            "bndiff2": dbndiff2, "bndiff": dbndiff,
            "bnmeani": dbnmeani, "hprebn": dhprebn, "embcat": dembcat,
            "W1": dW1, "b1": db1,
            "emb": demb, "C": dC}  # fmt: skip


@dataclass(frozen=True)
class GradCheck:
    """A hand-written gradient against autograd's."""

    name: str
    exact: bool  # every element equal, bit for bit
    approximate: bool  # torch.allclose: within rounding
    max_diff: float

    def __str__(self) -> str:
        return (
            f"{self.name:15s} | exact: {self.exact!s:5} | approximate: "
            f"{self.approximate!s:5} | max diff: {self.max_diff:.1e}"
        )


def compare(name: str, manual: torch.Tensor, t: torch.Tensor) -> GradCheck:
    """Check `manual`, a hand-written gradient, against `t.grad` from autograd.

    The shapes must be *equal*, not just broadcastable: a `(64,)` gradient for a `(1,
    64)` tensor has the right numbers and would pass an element-wise comparison, then
    break the next step of the backward pass (or silently broadcast in the wrong
    direction).

    Raises:
        ValueError: `t` has no gradient, or `manual` has another shape than `t`.
    """
    if t.grad is None:
        raise ValueError(
            f"{name} has no .grad: call retain_grad() on it before backward()"
        )
    if manual.shape != t.shape:
        raise ValueError(
            f"the gradient of {name} has shape {tuple(manual.shape)}, but {name} has "
            f"shape {tuple(t.shape)}: a gradient has the shape of its tensor (a sum "
            "over a broadcast axis without keepdim=True?)"
        )
    return GradCheck(
        name,
        exact=torch.equal(manual, t.grad),
        approximate=torch.allclose(manual, t.grad),
        max_diff=(manual - t.grad).abs().max().item(),
    )


def gradient_check(
    model: BackpropMLP, Xb: torch.Tensor, Yb: torch.Tensor
) -> list[GradCheck]:
    """Autograd's gradients against `backward_steps`', for every intermediate tensor and
    every parameter, in backward order (the lecture's 26 tensors)."""
    s = forward_steps(model, Xb, Yb)
    tensors = {f.name: getattr(s, f.name) for f in fields(s) if f.name != "loss"}
    for t in tensors.values():
        t.retain_grad()
    for p in model.parameters():
        p.grad = None
    s.loss.backward()
    manual = backward_steps(model, s, Xb, Yb)
    tensors.update(model.named_parameters())
    return [compare(name, grad, tensors[name]) for name, grad in manual.items()]


@torch.no_grad()
def calibrate(model: BackpropMLP, X: torch.Tensor) -> None:
    """Set the statistics evaluation normalizes with to the mean and (unbiased) variance
    of the BatchNorm's input over all of `X`, with the trained weights."""
    hprebn = model.C[X].view(X.shape[0], -1) @ model.W1 + model.b1
    model.bnmean = hprebn.mean(0, keepdim=True)
    model.bnvar = hprebn.var(0, keepdim=True, unbiased=True)


def train_by_hand(
    model: BackpropMLP,
    X: torch.Tensor,
    Y: torch.Tensor,
    steps: int,
    *,
    batch_size: int = 32,
    lr: Callable[[int], float] | None = None,
    generator: torch.Generator | None = None,
    eval_every: int = 0,
    eval_data: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> History:
    """Minibatch SGD with the hand-written backward pass only: no `loss.backward()`.

    The same loop as `zero_to_hero.makemore.train.train` (same draws, same update), so
    the two can be run side by side; the gradients come from `model.backward`. `lr` maps
    the step to the learning rate (the lectures' 0.1, then 0.01 from step 100,000, by
    default). Evaluation measures with the BatchNorm statistics calibrated at that
    moment (`calibrate`), as after training.
    """
    if steps < 0 or batch_size < 2:
        raise ValueError(
            f"need steps >= 0 and batch_size >= 2, got {steps}, {batch_size}"
        )
    lr = lr or step_decay()
    history = History()
    params = dict(model.named_parameters())
    model.train()
    t0, c0 = time.perf_counter(), time.process_time()
    with torch.no_grad():  # autograd is not needed: every gradient is written out
        for i in range(steps):
            ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator)
            Xb, Yb = X[ix], Y[ix]
            logits = model(Xb)
            loss = F.cross_entropy(logits, Yb)
            grads = model.backward(cross_entropy_backward(logits, Yb))
            step_lr = lr(i)
            for name, p in params.items():
                p.data += -step_lr * grads[name]
            history.losses.append(loss.item())
            history.lrs.append(step_lr)
            if (
                eval_every
                and eval_data
                and ((i + 1) % eval_every == 0 or i == steps - 1)
            ):
                calibrate(model, X)
                losses = {k: evaluate(model, *xy) for k, xy in eval_data.items()}
                history.evals.append((i + 1, losses))
            if on_step is not None:
                on_step(i, history.losses[-1])
    history.seconds += time.perf_counter() - t0
    history.cpu_seconds += time.process_time() - c0
    return history
