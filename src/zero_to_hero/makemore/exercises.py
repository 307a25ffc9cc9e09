"""Solutions to the exercises at the end of the makemore pages.

Each solution is shown, collapsed, under its exercise, and
`tests/makemore/test_exercises.py` runs it. Try the exercise before you open the
solution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import torch
import torch.nn.functional as F

from zero_to_hero.makemore.bigram import BigramCounts
from zero_to_hero.makemore.dataset import Splits, build_windows
from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig
from zero_to_hero.makemore.layers import BatchNorm1d, Linear, Sequential
from zero_to_hero.makemore.mlp import MLP, MLPConfig
from zero_to_hero.makemore.recipes import BEYOND
from zero_to_hero.makemore.train import train
from zero_to_hero.makemore.wavenet import (
    WaveNet,
    WaveNetConfig,
    logits_at_every_position,
)
from zero_to_hero.vocab import CharVocab

__all__ = [
    "ngram_counts",
    "ngram_nll",
    "best_smoothing",
    "bigram_weights_from_counts",
    "naive_nll",
    "initial_loss",
    "suggest_lr",
    "QUICK",
    "vowel_similarity",
    "DirectMLP",
    "zero_init_run",
    "unigram_entropy",
    "bias_gradient_before_batchnorm",
    "fold_batchnorm",
    "fold_all_batchnorms",
    "layernorm_backward",
    "batchnorm_scale_invariance",
    "steps_to_forget",
    "finite_difference_check",
    "one_hot_embedding_backward",
    "label_smoothing_backward",
    "useless_bias_gradient",
    "wavenet_parameter_count",
    "receptive_field",
    "conv1d_levels",
    "conv1d_logits",
    "deeper_context",
]


def _context_ids(X: torch.Tensor, V: int) -> torch.Tensor:
    """Each context of k characters as one integer in [0, V**k): its digits in base
    V."""
    k = X.shape[1]
    return (X * V ** torch.arange(k - 1, -1, -1)).sum(1)


def ngram_counts(words: Sequence[str], vocab: CharVocab, n: int = 3) -> torch.Tensor:
    """`N[c, j]`: how often character `j` follows the `n − 1` characters numbered
    `c`."""
    V = vocab.size
    X, Y = build_windows(words, vocab, block_size=n - 1)
    return torch.bincount(_context_ids(X, V) * V + Y, minlength=V**n).reshape(
        V ** (n - 1), V
    )


def ngram_nll(
    counts: torch.Tensor, words: Sequence[str], vocab: CharVocab, smoothing: float = 1.0
) -> float:
    """Average negative log-likelihood of `words` under the smoothed n-gram counts."""
    n = round(math.log(counts.numel(), vocab.size))
    P = counts.float() + smoothing
    P = P / P.sum(1, keepdim=True)
    X, Y = build_windows(words, vocab, block_size=n - 1)
    return -P[_context_ids(X, vocab.size), Y].log().double().mean().item()


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
    sum to
    1. So the counts model is one point in the neural model's weight space, the point
       gradient
    descent walks towards.
    """
    return BigramCounts(counts, smoothing).P.log()


def naive_nll(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy the long way: exponentiate, normalize, take the log of the target's
    probability. Fine for small logits; `exp` overflows to `inf` above about 88
    (float32)."""
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdim=True)
    return -probs[torch.arange(len(y)), y].log().mean()


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


#: Context 8, one BatchNorm layer of 128 tanh units, AdamW: 2,000 steps of 128 examples
#: (a few seconds) beat the lecture's 200,000-step MLP on validation.
QUICK = replace(
    BEYOND,
    name="quick",
    model=DeepMLPConfig(
        block_size=8, n_embd=16, n_hidden=128, n_layers=1, output_batchnorm=False
    ),
    steps=2_000,
    warmup=40,
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
        logits = super().__call__(x)
        embcat = self.C[x].view(x.shape[0], -1)
        self.out = logits + embcat @ self.Wd
        return self.out


def zero_init_run(
    X: torch.Tensor, Y: torch.Tensor, steps: int = 2000, lr: float = 1.0
) -> MLP:
    """Train the MLP with every weight and bias initialized to exactly zero.

    With `W1 = 0` every hidden unit outputs `tanh(0) = 0`, so `W2`'s gradient `hᵀ ·
    dlogits` is 0; with `W2 = 0` no gradient reaches the hidden layer or the embedding
    either. Only `b2` learns: the network can only learn how often each character
    occurs, whatever the context. (Random initialization exists to break this symmetry.)
    """
    config = MLPConfig(w1_scale=0.0, b1_scale=0.0, w2_scale=0.0, b2_scale=0.0)
    model = MLP(config, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.C.zero_()
    train(model, X, Y, steps, lr=lr, generator=torch.Generator().manual_seed(0))
    return model


def unigram_entropy(Y: torch.Tensor, vocab_size: int = 27) -> float:
    """The best loss without context: the entropy of the character frequencies
    (nats)."""
    p = torch.bincount(Y, minlength=vocab_size).double() / len(Y)
    p = p[p > 0]
    return -(p * p.log()).sum().item()


def bias_gradient_before_batchnorm(
    X: torch.Tensor, Y: torch.Tensor
) -> tuple[float, float]:
    """The largest gradient of `b1`, and of `W1`, in the BatchNorm MLP that still has
    `b1`.

    BatchNorm subtracts the batch mean of each hidden unit, and adding `b1` moves that
    mean by exactly `b1`: the bias cancels out of the output, so its gradient is zero
    (up to rounding).
    """
    model = MLP(
        MLPConfig(w1_scale=5 / 3, w1_fan_in=True, b1_scale=0.01, batchnorm=True)
    )
    F.cross_entropy(model(X), Y).backward()
    return model.b1.grad.abs().max().item(), model.W1.grad.abs().max().item()


@torch.no_grad()
def fold_batchnorm(linear: Linear, bn: BatchNorm1d) -> Linear:
    """One Linear layer that computes `bn(linear(x))` in evaluation mode.

    In evaluation mode the BatchNorm is a fixed affine map per feature: `gamma · (z −
    mean) / sqrt(var + eps) + beta` with `scale = gamma / sqrt(var + eps)` is `z ·
    scale + (beta − mean · scale)`; folding it into `z = x @ W + b` gives
    `W' = W · scale` (each column scaled) and `b' = (b − mean) · scale + beta`.
    """
    scale = bn.gamma / torch.sqrt(bn.running_var + bn.eps)
    folded = Linear(linear.fan_in, linear.fan_out, bias=True)
    folded.weight.copy_(linear.weight * scale)
    bias = linear.bias if linear.bias is not None else torch.zeros(linear.fan_out)
    folded.bias.copy_((bias - bn.running_mean) * scale + bn.beta)
    return folded


def fold_all_batchnorms(model: DeepMLP) -> Sequential:
    """The network for inference: every Linear → BatchNorm1d pair folded into one
    Linear."""
    layers, i = [], 0
    while i < len(model.layers):
        layer = model.layers[i]
        after = model.layers[i + 1] if i + 1 < len(model.layers) else None
        if isinstance(layer, Linear) and isinstance(after, BatchNorm1d):
            layers.append(fold_batchnorm(layer, after))
            i += 2
        else:
            layers.append(layer)
            i += 1
    return Sequential(layers).eval()


def layernorm_backward(
    dout: torch.Tensor, x: torch.Tensor, gamma: torch.Tensor, eps: float = 1e-5
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of `gamma · (x − mean) / sqrt(var + eps) + beta` with the statistics
    taken over each *row* (the features of one example) instead of each column.

    The derivation of the BatchNorm page goes through unchanged with the roles of the
    axes swapped: the sums over the batch become sums over the features, while `gamma`
    and `beta` still collect their gradients over the batch.
    """
    d = x.shape[1]
    mean = x.mean(1, keepdim=True)
    sigma = torch.sqrt(x.var(1, keepdim=True, unbiased=False) + eps)
    xhat = (x - mean) / sigma
    dgamma = (dout * xhat).sum(0)
    dbeta = dout.sum(0)
    dxhat = dout * gamma
    dx = (
        d * dxhat
        - dxhat.sum(1, keepdim=True)
        - xhat * (dxhat * xhat).sum(1, keepdim=True)
    ) / (d * sigma)
    return dx, dgamma, dbeta


def batchnorm_scale_invariance(
    x: torch.Tensor, W: torch.Tensor, a: float, eps: float = 1e-5
) -> tuple[float, float]:
    """Scale the weights before a BatchNorm by `a > 0`: the output hardly changes, and
    the weights' gradient shrinks by `1/a`.

    Returns:
        `(max |y(a·W) − y(W)|, |grad at a·W| / |grad at W|)` for the loss `sum(y · r)`
        with a fixed random `r`.
    """
    from zero_to_hero.makemore.bnmath import batchnorm_forward

    r = torch.randn(
        x.shape[0],
        W.shape[1],
        generator=torch.Generator().manual_seed(0),
        dtype=x.dtype,
    )
    outputs, grads = [], []
    for scale in (1.0, a):
        w = (W * scale).detach().requires_grad_()
        gamma, beta = (
            torch.ones(W.shape[1], dtype=x.dtype),
            torch.zeros(W.shape[1], dtype=x.dtype),
        )
        y, _ = batchnorm_forward(x @ w, gamma, beta, eps)
        (y * r).sum().backward()
        outputs.append(y.detach())
        grads.append(w.grad.norm().item())
    return (outputs[1] - outputs[0]).abs().max().item(), grads[1] / grads[0]


def steps_to_forget(momentum: float, fraction: float = 0.01) -> int:
    """Steps until a running average `(1 − m) · running + m · batch` keeps less than
    `fraction` of its initial value: after k steps that weight is `(1 − m)^k`."""
    if not 0 < momentum < 1:
        raise ValueError(f"momentum must be in (0, 1), got {momentum!r}")
    return math.ceil(math.log(fraction) / math.log(1 - momentum))


# --- manual backprop page -------------------------------------------------------------


def finite_difference_check(
    entries: Sequence[tuple[int, int]], h: float = 1e-6, seed: int = 0
) -> list[tuple[float, float]]:
    """For each `(row, column)` of `W1`: the central difference `(L(w + h) − L(w − h)) /
    2h` and the hand-written gradient, for the manual-backprop network in float64."""
    from zero_to_hero.makemore.backprop import (
        BackpropMLP,
        backward_steps,
        forward_steps,
    )

    g = torch.Generator().manual_seed(seed)
    model = BackpropMLP(generator=g, bn_generator=g)
    for p in model.parameters():
        p.data = p.data.double()
    Xb = torch.randint(0, 27, (32, 3), generator=g)
    Yb = torch.randint(0, 27, (32,), generator=g)
    with torch.no_grad():
        dW1 = backward_steps(model, forward_steps(model, Xb, Yb), Xb, Yb)["W1"]
        pairs = []
        for i, j in entries:
            w = model.W1[i, j].item()
            losses = []
            for nudged in (w + h, w - h):
                model.W1[i, j] = nudged
                losses.append(forward_steps(model, Xb, Yb).loss.item())
            model.W1[i, j] = w
            pairs.append(((losses[0] - losses[1]) / (2 * h), dW1[i, j].item()))
    return pairs


def one_hot_embedding_backward(
    ix: torch.Tensor, demb: torch.Tensor, vocab_size: int
) -> torch.Tensor:
    """`emb = one_hot(ix) @ C`, so `dC = one_hot(ix)ᵀ @ demb`: the transposed one-hot
    matrix adds up, for each row of `C`, the gradients of every place where it was
    looked up."""
    # (n · block_size, V)
    one_hot = F.one_hot(ix.reshape(-1), vocab_size).to(demb.dtype)
    return one_hot.T @ demb.reshape(-1, demb.shape[-1])


def label_smoothing_backward(
    logits: torch.Tensor, Y: torch.Tensor, eps: float
) -> torch.Tensor:
    """The gradient of `F.cross_entropy(logits, Y, label_smoothing=eps)` at the logits:
    `(softmax(logits) − q) / n`, with `q` the smoothed target distribution."""
    n, V = logits.shape
    q = (1 - eps) * F.one_hot(Y, V).to(logits.dtype) + eps / V
    return (F.softmax(logits, dim=1) - q) / n


def useless_bias_gradient(X: torch.Tensor, Y: torch.Tensor) -> tuple[float, float]:
    """The largest entry of `db1` and of `dW1` from the hand-written backward pass."""
    from zero_to_hero.makemore.backprop import BackpropMLP, cross_entropy_backward

    model = BackpropMLP(generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        grads = model.backward(cross_entropy_backward(model(X), Y))
    return grads["b1"].abs().max().item(), grads["W1"].abs().max().item()


# --- WaveNet page ---------------------------------------------------------------------


def wavenet_parameter_count(config: WaveNetConfig) -> int:
    """Embedding table, then per level a weight matrix (no bias) and BatchNorm's gain
    and bias, then the output layer with its bias."""
    V, E, H = config.vocab_size, config.n_embd, config.n_hidden
    count, width = V * E, E
    for k in config.merges:
        count += width * k * H + 2 * H
        width = H
    return count + H * V + V


def receptive_field(
    model: WaveNet, length: int, position: int, seed: int = 0
) -> list[int]:
    """Which outputs of `logits_at_every_position` change when the input at `position`
    does (output `t` is the window ending at input `t + block_size − 1`)."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, 27, (1, length), generator=g)
    changed = ids.clone()
    changed[0, position] = (ids[0, position] % 26) + 1  # another letter
    a, b = (
        logits_at_every_position(model, ids),
        logits_at_every_position(model, changed),
    )
    return [t for t in range(a.shape[1]) if not torch.equal(a[0, t], b[0, t])]


def conv1d_levels(model: WaveNet) -> list[torch.nn.Conv1d]:
    """One `nn.Conv1d` per level of a WaveNet, with the level's weights: kernel size
    `k`, dilation the product of the merges below."""
    convs, dilation = [], 1
    for k, (_, linear, *_) in zip(model.config.merges, model.levels):
        fan_in, out = linear.weight.shape
        conv = torch.nn.Conv1d(
            fan_in // k, out, kernel_size=k, dilation=dilation, bias=False
        )
        # (k · in, out) → (out, in, k): tap j is rows j·in … (j+1)·in
        with torch.no_grad():
            conv.weight.copy_(
                linear.weight.T.reshape(out, k, fan_in // k).transpose(1, 2)
            )
        convs.append(conv)
        dilation *= k
    return convs


@torch.no_grad()
def conv1d_logits(model: WaveNet, ids: torch.Tensor) -> torch.Tensor:
    """`logits_at_every_position`, with `nn.Conv1d` for the joins and the weights."""
    model.eval()
    x = model.layers[0](ids).transpose(1, 2)  # (batch, channels, time)
    for conv, (_, _, *rest) in zip(conv1d_levels(model), model.levels):
        # back to (batch, time, channels) for BatchNorm and tanh
        x = conv(x).transpose(1, 2)
        for layer in rest:
            x = layer(x)
        x = x.transpose(1, 2)
    return model.layers[-1](x.transpose(1, 2))


def deeper_context(names: Sequence[str], steps: int = 2000) -> dict[int, float]:
    """The lecture's WaveNet recipe with 3 levels (context 8) and 4 levels (context 16),
    both trained for `steps` steps: the validation loss of each, by context length."""
    from zero_to_hero.makemore.dataset import make_splits
    from zero_to_hero.makemore.recipes import WAVENET_STAGES, run_recipe

    lecture = WAVENET_STAGES["wavenet"]
    losses = {}
    for merges in [(2, 2, 2), (2, 2, 2, 2)]:
        r = replace(lecture, model=replace(lecture.model, merges=merges))
        splits = make_splits(names, block_size=r.block_size)
        losses[r.block_size] = run_recipe(
            r, splits, steps, splits_to_eval=("val",)
        ).losses["val"]
    return losses
