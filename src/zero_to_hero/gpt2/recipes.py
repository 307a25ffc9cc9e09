"""Named GPT-2 training recipes: a model shape plus a `TrainConfig`.

* `124m`: GPT-2 (124M) trained the way reproductions train it on FineWeb-edu, with
  GPT-3 small's schedule (Brown et al., 2020, https://arxiv.org/abs/2005.14165):
  524,288 tokens (2¹⁹, about half a million) per step in rows of 1,024, a peak
  learning rate of 6e-4 after 715 warm-up steps, a cosine decay to 10 % of it at step
  19,073 (10 billion tokens, one pass over the FineWeb-edu sample), weight decay 0.1,
  β = (0.9, 0.95), clipping at 1.0, the vocabulary padded to 50,304 rows. A GPU's job:
  `scripts/gpt2_124m.sh`.
* `small`: a few minutes on one CPU thread: 4 layers of 128 channels over contexts of
  128 tokens, still with GPT-2's whole vocabulary, 2,048 tokens per step (two
  micro-batches of 8 rows), 100 steps.
"""

from __future__ import annotations

from typing import Any

from zero_to_hero.gpt2.model import GPT2Config
from zero_to_hero.gpt2.train import TrainConfig
from zero_to_hero.recipes import Recipe

__all__ = ["GPT2Recipe", "RECIPES", "recipe"]

#: A GPT-2 recipe: the model's config and its `TrainConfig`.
GPT2Recipe = Recipe[GPT2Config, TrainConfig]

GPT2_124M = Recipe(
    "124m",
    "GPT-2 (124M) with GPT-3 small's schedule (for GPUs)",
    GPT2Config(vocab_multiple=128),  # 50,304 rows: faster, the same function
    TrainConfig(
        max_lr=6e-4,
        min_lr=6e-5,
        warmup_steps=715,
        max_steps=19073,
        batch_size=64,
        tokens_per_step=524_288,
        eval_interval=250,
        eval_steps=20,
        fused=None,
        device="auto",
    ),
)

SMALL = Recipe(
    "small",
    "a small GPT-2 for a few minutes on one CPU thread",
    GPT2Config(block_size=128, n_layer=4, n_head=4, n_embd=128),
    TrainConfig(
        max_lr=3e-3,
        min_lr=3e-4,
        warmup_steps=10,
        max_steps=100,
        batch_size=8,
        tokens_per_step=2048,
        eval_interval=20,
        eval_steps=8,
        fused=True,
    ),
)

RECIPES: dict[str, GPT2Recipe] = {"small": SMALL, "124m": GPT2_124M}


def recipe(name: str, **overrides: Any) -> tuple[GPT2Config, TrainConfig]:
    """The configs of a named recipe, with any field of either overridden by keyword.

    >>> model_config, train_config = recipe("124m", max_steps=50, warmup_steps=5)
    >>> model_config.n_layer, train_config.tokens_per_step, train_config.max_steps
    (12, 524288, 50)
    """
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose from {sorted(RECIPES)}")
    return RECIPES[name].configs(**overrides)
