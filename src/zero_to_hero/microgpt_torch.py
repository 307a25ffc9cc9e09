"""The capstone's GPT in PyTorch (float64), to check the scalar one against.

It computes the same function by a different road: whole tensors instead of scalars, the
sequence at once under a causal mask instead of a KV cache token by token, PyTorch's
autograd and `torch.optim.Adam` instead of ours. Loaded with the scalar model's weights,
it must give the same loss, the same gradients and the same training run.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from zero_to_hero.microgpt import GPT, Config, Tokenizer

__all__ = ["weights_of", "loss", "train"]


def weights_of(model: GPT) -> dict[str, torch.Tensor]:
    """The scalar model's weights as float64 tensors that require gradients."""
    return {
        name: torch.tensor(
            [[p.data for p in row] for row in rows], dtype=torch.float64
        ).requires_grad_()
        for name, rows in model.weights.items()
    }


def rmsnorm(x: torch.Tensor) -> torch.Tensor:
    """x / sqrt(mean(x²) + ε) over the last dimension."""
    return x * (x.pow(2).mean(-1, keepdim=True) + 1e-5) ** -0.5


def loss(
    w: dict[str, torch.Tensor], config: Config, tokens: Sequence[int]
) -> torch.Tensor:
    """The mean cross-entropy of `GPT.loss`, the whole sequence in one pass."""
    n = min(config.block_size, len(tokens) - 1)
    inputs = torch.tensor(tokens[:n])
    targets = torch.tensor(tokens[1 : n + 1])
    heads, size = config.n_head, config.n_embd // config.n_head
    x = w["wte"][inputs] + w["wpe"][:n]
    mask = torch.ones(n, n, dtype=torch.bool).tril()
    for i in range(config.n_layer):
        h = rmsnorm(x)
        q, k, v = (
            (h @ w[f"layer{i}.{name}"].T).view(n, heads, size).transpose(0, 1)
            for name in ("wq", "wk", "wv")
        )
        scores = (q @ k.transpose(1, 2)) * size**-0.5
        att = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        out = (att @ v).transpose(0, 1).reshape(n, config.n_embd)
        x = x + out @ w[f"layer{i}.wo"].T
        h = torch.relu(rmsnorm(x) @ w[f"layer{i}.fc1"].T)
        x = x + h @ w[f"layer{i}.fc2"].T
    logits = rmsnorm(x) @ w["head"].T
    return F.cross_entropy(logits, targets)


def train(
    w: dict[str, torch.Tensor],
    config: Config,
    tokenizer: Tokenizer,
    docs: Sequence[str],
    steps: int = 1000,
    lr: float = 0.01,
    seed: int = 42,
) -> list[float]:
    """`microgpt.train` in PyTorch: the same names in the same order, one per step,
    `torch.optim.Adam` with the same betas and the same linearly decaying rate."""
    import random

    order = list(docs)
    random.Random(seed).shuffle(order)
    params = list(w.values())
    optimizer = torch.optim.Adam(params, lr=lr, betas=(0.85, 0.99), eps=1e-8)
    losses = []
    for step in range(steps):
        doc = order[step % len(order)]
        tokens = [Tokenizer.BOS, *tokenizer.encode(doc), Tokenizer.BOS]
        value = loss(w, config, tokens)
        optimizer.zero_grad()
        value.backward()
        optimizer.param_groups[0]["lr"] = lr * (1 - step / steps)
        optimizer.step()
        losses.append(value.item())
    return losses
