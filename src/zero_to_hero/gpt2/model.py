"""GPT-2, exactly: the architecture of Radford et al. (2019), in reading order.

The character GPT of the previous chapter is already most of it. GPT-2 adds what makes
its published weights load: biases in every linear layer and LayerNorm, LayerNorm's
ε = 1e-5, GELU with its tanh approximation, a vocabulary of 50,257 BPE tokens and a
context of 1,024 positions. The parameters carry the names of OpenAI's checkpoint
(`transformer.h.0.attn.c_attn.weight`...), so a Hugging Face directory maps onto them
one to one (`zero_to_hero.gpt2.hf`).

Generation keeps a `KVCache`: the keys and values of the positions already read, so
each new token costs one position instead of the whole prefix.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from zero_to_hero.gpt.model import check_sizes
from zero_to_hero.gpt2.sampling import check_generate_args, next_token
from zero_to_hero.modes import eval_mode

__all__ = ["GPT2Config", "KVCache", "CausalSelfAttention", "MLP", "Block", "GPT2"]


@dataclass(frozen=True)
class GPT2Config:
    """The shape of a GPT-2; the defaults are the smallest published model (124M).

    Attributes:
        block_size: Longest context (GPT-2's `n_positions`).
        vocab_size: Number of token ids: 50,257 BPE tokens for GPT-2.
        n_layer: Number of blocks.
        n_head: Attention heads per block; they split `n_embd` between them.
        n_embd: Width of the residual stream.
        dropout: Dropout probability, for training (0: none).
        vocab_multiple: The embedding and the head get `vocab_size` rows rounded up
            to a multiple of this (128: 50,304 rows), so that the head's matrix
            product has sizes GPU kernels tile well; the extra rows are never a
            token. 1: no padding.
    """

    block_size: int = 1024
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    vocab_multiple: int = 1

    def __post_init__(self) -> None:
        check_sizes(self)  # the character GPT's checks: GPT-2 has the same sizes
        m = self.vocab_multiple
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(
                f"vocab_multiple must be an int >= 1 (1: no padding, 128: GPT-2's "
                f"50,257 rows padded to 50,304), got {m!r}"
            )

    @property
    def padded_vocab_size(self) -> int:
        """Rows of the embedding and the head: `vocab_size` rounded up to a multiple
        of `vocab_multiple`."""
        return -(-self.vocab_size // self.vocab_multiple) * self.vocab_multiple

    @property
    def head_size(self) -> int:
        """Channels per head (64 in every GPT-2)."""
        return self.n_embd // self.n_head


class KVCache:
    """The keys and values every layer has computed so far, for generation.

    A token's key and value at one layer depend only on the tokens up to it, so once
    computed they never change: generation keeps them and feeds the model only the new
    token. The storage is allocated once, for `block_size` positions, and filled from
    the left; `len(cache)` is the number of positions filled.

    Args:
        config: The model's shape.
        batch_size: Rows generated side by side.
        device: Where the model is.
        dtype: The model's floating-point type.
    """

    def __init__(
        self,
        config: GPT2Config,
        batch_size: int,
        device: torch.device | str = "cpu",
        dtype: torch.dtype = torch.float32,
    ):
        shape = (batch_size, config.n_head, config.block_size, config.head_size)
        self.keys = [
            torch.empty(shape, device=device, dtype=dtype)
            for _ in range(config.n_layer)
        ]
        self.values = [torch.empty_like(k) for k in self.keys]
        self.length = 0

    def __len__(self) -> int:
        return self.length

    def update(
        self, layer: int, k: torch.Tensor, v: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the new positions' keys and values `(B, n_head, T, head_size)` of
        `layer`; return that layer's keys and values of every position so far."""
        end = self.length + k.shape[2]
        self.keys[layer][:, :, self.length : end] = k
        self.values[layer][:, :, self.length : end] = v
        return self.keys[layer][:, :, :end], self.values[layer][:, :, :end]

    def advance(self, n: int) -> None:
        """Count `n` new positions as filled, once every layer has stored them."""
        self.length += n


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention, with GPT-2's names: `c_attn` makes queries,
    keys and values, `c_proj` writes the heads' output to the residual stream."""

    def __init__(self, config: GPT2Config, layer: int):
        super().__init__()
        self.n_head = config.n_head
        self.layer = layer  # which of the cache's layers is this one's
        self.dropout = config.dropout
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`; with a cache, `x` holds the positions
        after the cached ones."""
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        # (B, T, C) → (B, n_head, T, head_size)
        q, k, v = (
            t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            for t in (q, k, v)
        )
        if cache is not None:
            k, v = cache.update(self.layer, k, v)  # (B, n_head, L, head_size), L ≥ T
        L = k.shape[2]
        dropout = self.dropout if self.training else 0.0
        if L == T:  # no past: the usual causal mask
            out = F.scaled_dot_product_attention(
                q, k, v, dropout_p=dropout, is_causal=True
            )
        else:
            # T new queries after L - T cached positions: query i sees keys 0..L-T+i.
            # (is_causal=True would align the mask to the top left, hiding the past.)
            mask = torch.ones(T, L, dtype=torch.bool, device=x.device).tril(L - T)
            out = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=dropout
            )
        out = out.transpose(1, 2).reshape(B, T, C)
        return self.resid_dropout(self.c_proj(out))


class MLP(nn.Module):
    """Per position: widen 4×, GELU (the tanh approximation, as GPT-2), project
    back."""

    def __init__(self, config: GPT2Config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.gelu = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`."""
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    """Pre-LN: `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`."""

    def __init__(self, config: GPT2Config, layer: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=1e-5)
        self.attn = CausalSelfAttention(config, layer)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=1e-5)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`."""
        x = x + self.attn(self.ln_1(x), cache)
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT2(nn.Module):
    """Token and learned position embeddings, `n_layer` blocks, a final LayerNorm, and
    the head, which shares its matrix with the token embedding."""

    def __init__(self, config: GPT2Config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(config.padded_vocab_size, config.n_embd),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                drop=nn.Dropout(config.dropout),
                h=nn.ModuleList(Block(config, i) for i in range(config.n_layer)),
                ln_f=nn.LayerNorm(config.n_embd, eps=1e-5),
            )
        )
        self.lm_head = nn.Linear(config.n_embd, config.padded_vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied, as in GPT-2
        # GPT-2's initialisation: N(0, 0.02) weights, zero biases...
        for module in self.modules():
            if isinstance(module, nn.Linear | nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        # ...and the layers that write to the residual stream scaled by 1/√(2·n_layer):
        # the stream is a sum of 2·n_layer branches, its variance should not grow.
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))
        # Padded rows are no token: a fixed bias of -inf (a buffer, not a weight)
        # gives their logits probability 0, so the softmax, the loss and sampling see
        # only the real vocabulary, while the product keeps its padded size (slicing
        # the logits instead copies them).
        if config.padded_vocab_size > config.vocab_size:
            bias = torch.zeros(config.padded_vocab_size)
            bias[config.vocab_size :] = float("-inf")
            del self.lm_head.bias  # the head's bias parameter, None
            self.lm_head.register_buffer("bias", bias, persistent=False)

    def forward(self, idx: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """Logits `(B, T, padded_vocab_size)` for ids `(B, T)`, -inf for the padded
        ids. With a cache, `idx` holds the positions after the cached ones, and the
        cache takes theirs."""
        T = idx.shape[1]
        start = 0 if cache is None else len(cache)
        if start + T > self.config.block_size:
            raise ValueError(
                f"{start + T} positions do not fit in block_size "
                f"({self.config.block_size})"
            )
        positions = torch.arange(start, start + T, device=idx.device)
        x = self.transformer.wte(idx) + self.transformer.wpe(positions)
        x = self.transformer.drop(x)
        for block in self.transformer.h:
            x = block(x, cache)
        if cache is not None:
            cache.advance(T)
        return self.lm_head(self.transformer.ln_f(x))

    @classmethod
    def from_pretrained(
        cls, directory: str | os.PathLike, *, vocab_multiple: int = 1
    ) -> "GPT2":
        """The model saved in a Hugging Face-format directory (`config.json` and
        `model.safetensors` or `pytorch_model.bin`), in evaluation mode, its
        vocabulary padded to a multiple of `vocab_multiple`; see
        `zero_to_hero.gpt2.hf.load_pretrained`."""
        from zero_to_hero.gpt2.hf import load_pretrained

        return load_pretrained(directory, vocab_multiple=vocab_multiple)

    @torch.no_grad()
    def generate(
        self,
        idx: torch.Tensor,
        max_new_tokens: int,
        *,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        use_cache: bool = True,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Append `max_new_tokens` ids to each row of `idx` `(B, T)`, in evaluation
        mode.

        Args:
            idx: The prompt, token ids `(B, T)`.
            max_new_tokens: How many ids to add.
            temperature: Divides the logits; 0 picks the most likely id (greedy).
            top_k: Sample only among the `top_k` most likely ids.
            top_p: Sample only among the most likely ids whose probabilities add up
                to `top_p` (nucleus sampling).
            use_cache: Keep every layer's keys and values (a `KVCache`), so each new
                id costs one position; without it, each id re-reads the whole
                context. Both give the same ids.
            generator: Random source, for reproducible samples.

        The model reads at most `block_size` positions. Once prompt and output are
        longer, each step reads the last `block_size` ids at positions
        0..block_size-1. That shifts every id to a new position, and as GPT-2's
        positions are learned embeddings added at the input, every cached key and
        value changes: the cache is dropped and each further id costs a whole window,
        as without the cache.

        Returns:
            `(B, T + max_new_tokens)` ids: the prompt, then the new ids.
        """
        check_generate_args(
            idx, max_new_tokens, temperature, top_k, top_p, self.config.vocab_size
        )
        block_size = self.config.block_size
        cache = None
        if use_cache:
            dtype = self.lm_head.weight.dtype
            cache = KVCache(self.config, idx.shape[0], idx.device, dtype)
        with eval_mode(self):
            for _ in range(max_new_tokens):
                if idx.shape[1] > block_size:
                    cache = None  # the window slides: every position moves
                if cache is None:
                    logits = self(idx[:, -block_size:])
                else:
                    logits = self(idx[:, len(cache) :], cache)  # the unread ids
                next_id = next_token(
                    logits[:, -1, :], temperature, top_k, top_p, generator
                )
                idx = torch.cat([idx, next_id], dim=1)
        return idx
