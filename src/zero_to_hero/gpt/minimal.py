"""The GPT as the chapter's page shows it: a config, causal self-attention, a
feed-forward layer, a block, and the model, in reading order and without switches.

It is the configurable `zero_to_hero.gpt.model.GPT` in its default configuration
(learned positions, GELU, the head tied to the token embedding, GPT-2's initialisation,
a causal mask): the two have the same parameter names, the same seed builds the same
weights, and with the same weights they give exactly the same logits and loss. The
training loop, the recipes and the benchmark use the configurable one.
"""

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["GPTConfig", "CausalSelfAttention", "FeedForward", "Block", "GPT"]


@dataclass(frozen=True)
class GPTConfig:
    """The shape of a GPT.

    Attributes:
        vocab_size: Number of token ids.
        block_size: Longest context the model reads.
        n_layer: Number of blocks.
        n_head: Attention heads per block; they split `n_embd` between them.
        n_embd: Width of the residual stream.
        dropout: Dropout probability (0 for the small models of the chapter).
        bias: Biases in the linear layers and LayerNorms.
    """

    vocab_size: int
    block_size: int
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = False


class CausalSelfAttention(nn.Module):
    """`n_head` heads of attention side by side; each position sees itself and the
    past."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        if config.n_embd % config.n_head:
            raise ValueError(
                f"n_embd ({config.n_embd}) must be a multiple of n_head "
                f"({config.n_head}): each head gets an equal slice of the channels"
            )
        self.n_head = config.n_head
        self.dropout = config.dropout
        # one matmul makes the queries, keys and values of all heads
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        # mixes what the heads found, and writes it to the residual stream
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.proj_dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`."""
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) → (B, n_head, T, head_size): each head its own slice of channels
        q, k, v = (
            t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            for t in (q, k, v)
        )
        # softmax(q kᵀ / √head_size, the future masked) v, in one fused kernel
        dropout = self.dropout if self.training else 0.0
        out = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, is_causal=True)
        # the heads side by side again: (B, n_head, T, head_size) → (B, T, C)
        out = out.transpose(1, 2).reshape(B, T, C)
        return self.proj_dropout(self.proj(out))


class FeedForward(nn.Module):
    """Per position: widen 4×, GELU, project back."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`."""
        return self.dropout(self.proj(F.gelu(self.fc(x))))


class Block(nn.Module):
    """Attention (communication), then feed-forward (computation), each a residual
    branch."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.ffwd = FeedForward(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(B, T, n_embd)` → `(B, T, n_embd)`."""
        # Pre-LN: each branch reads a normalised copy and adds its output to x, so the
        # stream, and the gradient along it, pass through every block untouched.
        x = x + self.attn(self.ln1(x))
        x = x + self.ffwd(self.ln2(x))
        return x


class GPT(nn.Module):
    """Token and position embeddings, `n_layer` blocks, a LayerNorm, logits over the
    vocabulary."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.n_embd)
        self.position_embedding = nn.Embedding(config.block_size, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        # Weight tying: one matrix turns ids into vectors and vectors into scores for
        # ids, so similar tokens get similar embeddings from both ends.
        self.lm_head.weight = self.token_embedding.weight
        # GPT-2's initialisation: small random weights, zero biases...
        for module in self.modules():
            if isinstance(module, nn.Linear | nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        # ...and the last layer of each residual branch smaller still: every block adds
        # two branches to the stream, and its variance should not grow with depth.
        for name, p in self.named_parameters():
            if name.endswith("proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """`(logits, loss)`: logits `(B, T, vocab_size)` for ids `(B, T)`; the mean
        cross-entropy against `targets` `(B, T)` (a target of -100 is skipped), or
        None without targets."""
        T = idx.shape[1]
        if self.config.block_size < T:
            raise ValueError(
                f"a context of {T} ids is longer than block_size "
                f"({self.config.block_size})"
            )
        positions = torch.arange(T, device=idx.device)
        x = self.token_embedding(idx) + self.position_embedding(positions)
        x = self.dropout(x)
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        return logits, loss

    @torch.no_grad()
    def generate(
        self,
        idx: torch.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Append `max_new_tokens` sampled ids to each row of `idx` `(B, T)`; call
        `eval()` first, or dropout stays on."""
        for _ in range(max_new_tokens):
            # the model reads at most block_size ids: keep the last ones
            logits, _ = self(idx[:, -self.config.block_size :])
            # only the last position predicts what comes next
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                kth_largest = torch.topk(logits, top_k).values[:, [-1]]
                logits = logits.masked_fill(logits < kth_largest, float("-inf"))
            probs = logits.softmax(dim=-1)
            next_id = torch.multinomial(probs, num_samples=1, generator=generator)
            idx = torch.cat([idx, next_id], dim=1)
        return idx
