"""Self-attention: every position asks a question, every position offers an answer.

Each position of a sequence emits three vectors from its embedding: a **query** (what am
I looking for?), a **key** (what do I contain?) and a **value** (what do I pass on if
chosen). The dot product of a query with every key scores how relevant each position is;
a softmax turns the scores into weights; the output is the weighted sum of the values.
With a causal mask a position only sees itself and the past, which is what a model that
predicts the next character needs; without it every position sees the whole sequence
(BERT).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "causal_mask",
    "attention",
    "split_heads",
    "merge_heads",
    "Head",
    "MultiHeadAttention",
    "rotary_tables",
    "rotate",
    "score_statistics",
]


def causal_mask(T: int, device: torch.device | str | None = None) -> torch.Tensor:
    """`(T, T)` booleans, True where query `t` may look at key `s`, that is `s <= t`.

    The diagonal is allowed: a position always sees itself.

    >>> causal_mask(3).int()
    tensor([[1, 0, 0],
            [1, 1, 0],
            [1, 1, 1]], dtype=torch.int32)
    """
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


def attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    causal: bool = True,
    dropout: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention written out: `softmax(q kᵀ / √d + mask) v`.

    Args:
        q: Queries, `(..., T, d)`; `d` is the head size.
        k: Keys, `(..., T, d)`.
        v: Values, `(..., T, d_v)`.
        causal: Mask the future (a GPT) or not (a BERT).
        dropout: Probability of dropping an attention weight (only pass > 0 when
            training).

    Returns:
        `(out, weights)`: `(..., T, d_v)` and the attention weights `(..., T, T)`, whose
        rows sum to 1.
    """
    if q.shape != k.shape or q.shape[:-1] != v.shape[:-1]:
        raise ValueError(
            f"q and k must have the same shape and v the same leading dimensions, got "
            f"q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}"
        )
    T, d = q.shape[-2], q.shape[-1]
    # Dividing by √d keeps the scores at unit variance when q and k have unit-variance
    # entries: without it the softmax saturates and all weight goes to one position.
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., T, T)
    if causal:
        scores = scores.masked_fill(~causal_mask(T, q.device), float("-inf"))
    weights = scores.softmax(dim=-1)
    if dropout > 0:
        weights = F.dropout(weights, dropout)
    return weights @ v, weights


def split_heads(x: torch.Tensor, n_head: int) -> torch.Tensor:
    """`(B, T, C)` → `(B, n_head, T, C // n_head)`: each head gets its own slice of
    channels."""
    B, T, C = x.shape
    if C % n_head:
        raise ValueError(f"{C} channels cannot be split into {n_head} equal heads")
    return x.view(B, T, n_head, C // n_head).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """`(B, n_head, T, hs)` → `(B, T, n_head * hs)`, the inverse of `split_heads`.

    After the transpose the memory is no longer in `(B, T, C)` order, so `view` would
    fail; `reshape` copies when it has to.
    """
    B, n_head, T, hs = x.shape
    return x.transpose(1, 2).reshape(B, T, n_head * hs)


class Head(nn.Module):
    """One head of self-attention: its own query, key and value projections.

    Args:
        n_embd: Width of the input embeddings.
        head_size: Width of this head's queries, keys and values.
        causal: Mask the future.
        bias: Give the projections a bias (the lecture's heads have none).
    """

    def __init__(
        self, n_embd: int, head_size: int, causal: bool = True, bias: bool = False
    ):
        super().__init__()
        self.query = nn.Linear(n_embd, head_size, bias=bias)
        self.key = nn.Linear(n_embd, head_size, bias=bias)
        self.value = nn.Linear(n_embd, head_size, bias=bias)
        self.causal = causal

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, head_size)`."""
        out, _ = attention(self.query(x), self.key(x), self.value(x), self.causal)
        return out

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """The attention weights `(B, T, T)` of `x` `(B, T, n_embd)`: row `t` says how
        much position `t` takes from each position."""
        _, weights = attention(self.query(x), self.key(x), self.value(x), self.causal)
        return weights


class MultiHeadAttention(nn.Module):
    """`n_head` heads side by side, computed as one batch, then mixed by a projection.

    The queries, keys and values of all heads come from a single `(n_embd → 3·n_embd)`
    matmul (`qkv`), in the order q, k, v and head by head within each: the same layout
    as the `in_proj_weight` of `torch.nn.MultiheadAttention`. `as_heads()` returns the
    equivalent separate `Head` modules.

    Args:
        n_embd: Width of the embeddings; each head gets `n_embd // n_head` of it.
        n_head: Number of heads.
        causal: Mask the future (GPT) or not (BERT).
        dropout: Dropout on the attention weights and on the output.
        bias: Biases in the two projections.
        rotary_block_size: If set, rotate queries and keys by their position (RoPE, see
            `rotate`) for sequences up to this length.
    """

    def __init__(
        self,
        n_embd: int,
        n_head: int,
        causal: bool = True,
        dropout: float = 0.0,
        bias: bool = False,
        rotary_block_size: int | None = None,
    ):
        super().__init__()
        if n_head < 1 or n_embd % n_head:
            raise ValueError(
                f"n_embd ({n_embd}) must be a multiple of n_head ({n_head})"
            )
        self.n_embd, self.n_head = n_embd, n_head
        self.causal, self.dropout = causal, dropout
        self.qkv = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.rotary = rotary_block_size is not None
        if self.rotary:  # a table, not parameters: left out of the state dict
            rotations = rotary_tables(rotary_block_size, n_embd // n_head)
            self.register_buffer("rotations", rotations, persistent=False)

    def queries_keys_values(
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """`q, k, v` of `x` `(B, T, n_embd)`, each `(B, n_head, T, head_size)`."""
        q, k, v = self.qkv(x).split(self.n_embd, dim=2)
        if self.rotary:
            q = rotate(q, self.rotations, self.n_head)
            k = rotate(k, self.rotations, self.n_head)
        return (
            split_heads(q, self.n_head),
            split_heads(k, self.n_head),
            split_heads(v, self.n_head),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`."""
        q, k, v = self.queries_keys_values(x)
        dropout = self.dropout if self.training else 0.0
        # `attention` in one fused kernel, without materialising the weights
        out = F.scaled_dot_product_attention(
            q, k, v, dropout_p=dropout, is_causal=self.causal
        )
        return F.dropout(self.proj(merge_heads(out)), dropout, self.training)

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """The attention weights `(B, n_head, T, T)` of `x` `(B, T, n_embd)`, written
        out (without dropout)."""
        _, weights = attention(*self.queries_keys_values(x), self.causal)
        return weights

    def as_heads(self) -> list[Head]:
        """Separate `Head` modules holding copies of this module's per-head weights."""
        if self.rotary:
            raise ValueError(
                "a Head has no rotary positions: as_heads() needs rotary off"
            )
        hs = self.n_embd // self.n_head
        w_q, w_k, w_v = self.qkv.weight.detach().split(self.n_embd)
        b_q, b_k, b_v = (
            self.qkv.bias.detach().split(self.n_embd)
            if self.qkv.bias is not None
            else (None,) * 3
        )
        heads = []
        for h in range(self.n_head):
            rows = slice(h * hs, (h + 1) * hs)
            head = Head(self.n_embd, hs, self.causal, bias=b_q is not None)
            head.to(device=w_q.device, dtype=w_q.dtype)
            for lin, w, b in (
                (head.query, w_q, b_q),
                (head.key, w_k, b_k),
                (head.value, w_v, b_v),
            ):
                lin.weight.data.copy_(w[rows])
                if b is not None:
                    lin.bias.data.copy_(b[rows])
            heads.append(head)
        return heads


def rotary_tables(
    block_size: int, head_size: int, base: float = 10000.0
) -> torch.Tensor:
    """`e^(i·t·θ_j)` for every position `t` and channel pair `j`, `θ_j =
    base^(-2j/head_size)`: a complex `(block_size, head_size // 2)` table of unit
    rotations."""
    if head_size % 2:
        raise ValueError(f"rotary positions need an even head size, got {head_size}")
    theta = base ** (-torch.arange(0, head_size, 2, dtype=torch.float64) / head_size)
    angles = torch.outer(torch.arange(block_size, dtype=torch.float64), theta)
    return torch.polar(torch.ones_like(angles), angles).to(torch.complex64)


def rotate(x: torch.Tensor, rotations: torch.Tensor, n_head: int) -> torch.Tensor:
    """Rotary position embedding (RoPE) of queries or keys `(B, T, n_head · hs)`.

    Each head's channels, taken in pairs, are read as complex numbers and multiplied by
    the position's unit rotation. The dot product of a query rotated for position `t`
    with a key rotated for position `s` then depends on `t - s` only: attention sees
    *relative* positions, and there is no position embedding to learn.
    """
    B, T, C = x.shape
    pairs = torch.view_as_complex(x.reshape(B, T, n_head, C // n_head // 2, 2))
    return torch.view_as_real(pairs * rotations[:T, None, :]).reshape(B, T, C)


def score_statistics(
    head_size: int, T: int = 16, n: int = 2000, scaled: bool = True, seed: int = 0
) -> tuple[float, float]:
    """Variance of `q·k` for unit-variance random `q`, `k`, and the mean largest softmax
    weight of a query over `T` keys: how peaked attention is before any learning.

    Returns:
        `(variance, peak)`: with `scaled`, about `(1, small)` at every head size;
        without, the variance grows like `head_size` and the softmax approaches one-hot
        (peak → 1).
    """
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(n, 1, head_size, generator=g)
    k = torch.randn(n, T, head_size, generator=g)
    scores = (q @ k.transpose(1, 2)).squeeze(1)  # (n, T)
    if scaled:
        scores = scores / math.sqrt(head_size)
    return scores.var().item(), scores.softmax(dim=-1).max(dim=-1).values.mean().item()
