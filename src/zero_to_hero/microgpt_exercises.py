"""Solutions to the capstone's exercises: a second layer, LayerNorm instead of RMSNorm,
top-k sampling. Standard library and micrograd only, like `zero_to_hero.microgpt`."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from zero_to_hero.microgpt import GPT, Config, Tokenizer, softmax
from zero_to_hero.micrograd.engine import Value

__all__ = ["two_layers", "layernorm", "LayerNormGPT", "sample_top_k"]


def two_layers(config: Config) -> Config:
    """The same model with a second block: `forward` loops over `n_layer` blocks, each
    with its own weights and its own KV cache, so the config is all that changes."""
    return dataclasses.replace(config, n_layer=2)


def layernorm(x: Sequence[Value], eps: float = 1e-5) -> list[Value]:
    """LayerNorm (Ba et al., 2016) without gain or bias: subtract the mean, then divide
    by the standard deviation. RMSNorm skips the first part."""
    mean = sum(x) * (1 / len(x))
    centred = [xi - mean for xi in x]
    var = sum(c * c for c in centred) * (1 / len(x))
    scale = (var + eps) ** -0.5
    return [c * scale for c in centred]


class LayerNormGPT(GPT):
    """The capstone's GPT with LayerNorm wherever it normalises."""

    def norm(self, x: Sequence[Value]) -> list[Value]:
        """LayerNorm, where `GPT.norm` is RMSNorm."""
        return layernorm(x)


def sample_top_k(
    model: GPT,
    tokenizer: Tokenizer,
    n: int = 10,
    temperature: float = 0.5,
    top_k: int = 5,
    seed: int = 42,
) -> list[str]:
    """`microgpt.sample`, drawing each token from the `top_k` likeliest only: the long
    tail of unlikely characters can no longer be picked. With `top_k` equal to the
    vocabulary it is `sample` exactly; with 1 it is greedy decoding."""
    if temperature <= 0 or top_k < 1:
        raise ValueError(
            f"need temperature > 0 and top_k >= 1, got {temperature} and {top_k}"
        )
    rng = random.Random(seed)
    names = []
    for _ in range(n):
        cache, token, ids = model.empty_cache(), Tokenizer.BOS, []
        for pos in range(model.config.block_size):
            logits = model.forward(token, pos, cache)
            kept = sorted(range(len(logits)), key=lambda i: -logits[i].data)[:top_k]
            cutoff = min(logits[i].data for i in kept)
            probs = softmax([logit * (1 / temperature) for logit in logits])
            weights = [
                p.data if logit.data >= cutoff else 0.0
                for p, logit in zip(probs, logits)
            ]
            token = rng.choices(range(len(probs)), weights)[0]
            if token == Tokenizer.BOS:
                break
            ids.append(token)
        names.append(tokenizer.decode(ids))
    return names
