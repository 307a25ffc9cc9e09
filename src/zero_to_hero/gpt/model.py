"""A GPT: token and position embeddings, a stack of attention + feed-forward blocks, a
head.

`GPTConfig` also describes the steps of the build-up (no feed-forward, no residual
connections, no LayerNorm), the bidirectional BERT variant (`causal=False`), and the
recipe choices of the benchmark, so one class covers the whole chapter. The page shows
`zero_to_hero.gpt.minimal` instead: this model in its default configuration, without
the switches, which gives exactly the same logits from the same weights.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from zero_to_hero.gpt.attention import MultiHeadAttention
from zero_to_hero.gpt.sampling import generate
from zero_to_hero.modes import eval_mode

__all__ = ["GPTConfig", "FeedForward", "Block", "GPT", "check_sizes"]


_ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU}
POSITIONS = ("learned", "rotary")
NORM_POSITIONS = ("pre", "post")
INITS = ("gpt2", "normal", "pytorch")


def check_sizes(config: Any) -> None:
    """The checks every GPT's config shares (this chapter's and GPT-2's): positive
    sizes, a width that the heads split evenly, a dropout probability."""
    for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if config.n_embd % config.n_head:
        raise ValueError(
            f"n_embd ({config.n_embd}) must be a multiple of n_head ({config.n_head}): "
            "each head gets an equal slice of the channels"
        )
    if not 0 <= config.dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {config.dropout!r}")


@dataclass(frozen=True)
class GPTConfig:
    """Everything that determines a GPT's architecture (and nothing about its training).

    Attributes:
        vocab_size: Number of token ids.
        block_size: Longest context the model reads (position embeddings exist up to
            it).
        n_layer: Number of blocks.
        n_head: Attention heads per block; `n_embd` must be a multiple of it.
        n_embd: Width of the residual stream.
        dropout: Dropout probability in attention, feed-forward and embeddings.
        bias: Biases in the linear layers and LayerNorms.
        causal: True for a GPT (each position sees the past); False for a BERT (all
            positions).
        activation: "gelu" or "relu", the non-linearity of the feed-forward layer.
        position: "learned" (an embedding per position, added to the token's) or
            "rotary" (queries and keys rotated by their position, RoPE).
        tie_weights: Share the token embedding with the output layer (GPT-2 does).
        feed_forward: Include the feed-forward layer in each block (the build-up adds
            it).
        residual: Add each sub-layer's output to its input (the build-up adds it).
        layer_norm: Include the LayerNorms (where: `norm_position`).
        norm_position: "pre": normalise each sub-layer's input and, once more, the
            stream before the head (pre-LN, as GPT-2); "post": normalise the stream
            after each residual addition, `x = LN(x + f(x))`, with no final LayerNorm
            (post-LN, as the original Transformer, Vaswani et al. 2017).
        init: "gpt2": weights from N(0, 0.02), the residual branches' output layers
            scaled down by √(2·n_layer), for a residual network; "normal": N(0, 0.02)
            for every weight, the output layers included (GPT-1's); "pytorch":
            PyTorch's default, whose scale follows each layer's width, which a plain
            stack of layers needs.
    """

    vocab_size: int
    block_size: int
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = False
    causal: bool = True
    activation: str = "gelu"
    position: str = "learned"
    tie_weights: bool = True
    feed_forward: bool = True
    residual: bool = True
    layer_norm: bool = True
    init: str = "gpt2"
    norm_position: str = "pre"

    def __post_init__(self) -> None:
        check_sizes(self)
        if self.position not in POSITIONS:
            raise ValueError(
                f"position must be one of {POSITIONS}, got {self.position!r}"
            )
        if self.position == "rotary" and self.head_size % 2:
            raise ValueError(
                f"rotary positions need an even head size, got {self.head_size}"
            )
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.norm_position not in NORM_POSITIONS:
            raise ValueError(
                f"norm_position must be one of {NORM_POSITIONS}, got "
                f"{self.norm_position!r}"
            )
        if self.activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}, got "
                f"{self.activation!r}"
            )

    @property
    def head_size(self) -> int:
        """Channels per head."""
        return self.n_embd // self.n_head

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for a checkpoint."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> GPTConfig:
        """Rebuild from `to_dict()`; an unknown key is a clear error."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(
                f"unknown GPTConfig fields {sorted(unknown)}; known: {sorted(known)}"
            )
        return cls(**values)


class FeedForward(nn.Module):
    """Per position, independently: widen 4×, apply a non-linearity, project back.

    Attention moves information between positions; this is where each position computes
    with what it gathered.
    """

    def __init__(
        self, n_embd: int, dropout: float = 0.0, bias: bool = False, activation="gelu"
    ):
        super().__init__()
        self.fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.act = _ACTIVATIONS[activation]()
        self.proj = nn.Linear(4 * n_embd, n_embd, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`."""
        return self.dropout(self.proj(self.act(self.fc(x))))


class Block(nn.Module):
    """Communication (attention) then computation (feed-forward), each as a residual
    branch.

    Pre-LN: `x = x + attn(ln1(x)); x = x + ffwd(ln2(x))`. The residual stream `x` passes
    through untouched, and each branch adds its contribution to it, so gradients flow
    straight from the loss to the first layer. Post-LN (`norm_position="post"`):
    `x = ln1(x + attn(x)); x = ln2(x + ffwd(x))`, where every path to the first layer
    crosses every LayerNorm.
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        c = config
        self.config = c
        norm = (
            (lambda: nn.LayerNorm(c.n_embd, bias=c.bias))
            if c.layer_norm
            else nn.Identity
        )
        self.ln1, self.ln2 = norm(), norm()
        rotary = c.block_size if c.position == "rotary" else None
        self.attn = MultiHeadAttention(
            c.n_embd, c.n_head, c.causal, c.dropout, c.bias, rotary
        )
        self.ffwd = (
            FeedForward(c.n_embd, c.dropout, c.bias, c.activation)
            if c.feed_forward
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`."""
        x = self.sublayer(x, self.attn, self.ln1)
        if self.ffwd is not None:
            x = self.sublayer(x, self.ffwd, self.ln2)
        return x

    def sublayer(
        self, x: torch.Tensor, layer: nn.Module, norm: nn.Module
    ) -> torch.Tensor:
        """One residual branch, `layer`, with its LayerNorm `norm` before it (pre-LN)
        or after the addition (post-LN)."""
        if self.config.norm_position == "post":
            out = layer(x)
            return norm(x + out if self.config.residual else out)
        out = layer(norm(x))
        return x + out if self.config.residual else out

    def attention_input(self, x: torch.Tensor) -> torch.Tensor:
        """What the attention layer reads from the stream `x`: `ln1(x)` under pre-LN,
        `x` itself under post-LN."""
        return self.ln1(x) if self.config.norm_position == "pre" else x


class GPT(nn.Module):
    """Token + position embeddings → `n_layer` blocks → LayerNorm → logits over the
    vocabulary.

    Args:
        config: The architecture.
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        c = config
        self.config = c
        self.token_embedding = nn.Embedding(c.vocab_size, c.n_embd)
        self.position_embedding = (
            nn.Embedding(c.block_size, c.n_embd) if c.position == "learned" else None
        )
        self.dropout = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.n_layer))
        # Post-LN's last block already ends with a LayerNorm.
        self.ln_f = (
            nn.LayerNorm(c.n_embd, bias=c.bias)
            if c.layer_norm and c.norm_position == "pre"
            else nn.Identity()
        )
        self.lm_head = nn.Linear(c.n_embd, c.vocab_size, bias=False)
        if c.tie_weights:
            self.lm_head.weight = self.token_embedding.weight
        if c.init in ("gpt2", "normal"):
            self._init_gpt2(scale_residual=c.init == "gpt2")

    def _init_gpt2(self, scale_residual: bool = True) -> None:
        for module in self.modules():
            if isinstance(module, nn.Linear | nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        if not scale_residual:
            return
        # Each block adds two branches to the residual stream: shrink their output
        # layers so the stream's variance does not grow with depth.
        for name, p in self.named_parameters():
            if name.endswith("proj.weight"):
                nn.init.normal_(
                    p, mean=0.0, std=0.02 / math.sqrt(2 * self.config.n_layer)
                )

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """`(logits, loss)`, always: logits `(B, T, vocab_size)` for ids `(B, T)`; the
        mean cross-entropy against `targets` `(B, T)` (a target of -100 is skipped), or
        None without targets."""
        x = self.dropout(self._embed(idx))
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(
            logits.flatten(0, 1), targets.flatten(), ignore_index=-100
        )
        return logits, loss

    def _embed(self, idx: torch.Tensor) -> torch.Tensor:
        T = self._check_ids(idx)
        x = self.token_embedding(idx)
        if self.position_embedding is not None:
            x = x + self.position_embedding(torch.arange(T, device=idx.device))
        return x

    def _check_ids(self, idx: torch.Tensor) -> int:
        if idx.dim() != 2 or idx.dtype != torch.long:
            raise ValueError(
                f"expected token ids of shape (B, T) and dtype torch.long, got shape "
                f"{tuple(idx.shape)} and {idx.dtype}"
            )
        T = idx.shape[1]
        if not 1 <= T <= self.config.block_size:
            raise ValueError(
                f"sequence length {T} is outside 1..block_size "
                f"({self.config.block_size})"
            )
        # Checked on the CPU only: on a GPU it would wait for the device at every step.
        if idx.device.type == "cpu" and (
            idx.min() < 0 or idx.max() >= self.config.vocab_size
        ):
            raise ValueError(
                f"token ids must be in 0..{self.config.vocab_size - 1}, got values in "
                f"{int(idx.min())}..{int(idx.max())}"
            )
        return T

    def attention_maps(self, idx: torch.Tensor) -> list[torch.Tensor]:
        """The attention weights of every block, each `(B, n_head, T, T)`, for ids `(B,
        T)`."""
        maps = []
        with eval_mode(self), torch.no_grad():
            x = self._embed(idx)
            for block in self.blocks:
                maps.append(block.attn.weights(block.attention_input(x)))
                x = block(x)
        return maps

    @property
    def vocab_size(self) -> int:
        """Number of token ids."""
        return self.config.vocab_size

    def num_params(self, non_embedding: bool = False) -> int:
        """Number of parameters (shared ones once); optionally without the position
        embeddings and, if not tied to the head, the token embeddings: the ones that
        cost matmul FLOPs."""
        n = sum(p.numel() for p in self.parameters())
        if non_embedding:
            if self.position_embedding is not None:
                n -= self.position_embedding.weight.numel()
            if not self.config.tie_weights:
                n -= self.token_embedding.weight.numel()
        return n

    def generate(
        self,
        idx: torch.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Continue each row of `idx` by `max_new_tokens` sampled ids (see
        `sampling.generate`)."""
        return generate(
            self,
            idx,
            max_new_tokens,
            temperature,
            top_k,
            generator,
            self.config.block_size,
        )
