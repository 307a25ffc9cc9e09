"""Named training recipes: a model shape plus a training configuration.

* `baby`: nanoGPT's "baby GPT" for a CPU, as its README gives it (4 layers, 4 heads, 128
  channels, 64 characters of context, batch 12, 2000 steps, learning rate 1e-3 decaying
  to 1e-4 by a cosine, no dropout), on top of its `train_shakespeare_char` config (100
  warm-up steps, β₂ = 0.99, weight decay 0.1, gradient clipping at 1.0, GELU, no biases,
  tied embeddings).
* `fast`: this chapter's recipe for the same model size and the same 2000 steps of the
  same batches: a peak learning rate of 3e-3 decaying to 0, rotary positions, ReLU, and
  AdamW's fused kernel. The benchmark compares it with `baby` side by side.
* `lecture`: the scaled-up model of the lecture (6 layers, 6 heads, 384 channels, 256
  characters, dropout 0.2, batch 64, learning rate 3e-4, 5000 steps): 10.8M parameters,
  a GPU's job.
* `tiny`: seconds on a CPU, for tests and first experiments.
"""

from __future__ import annotations

from typing import Any

from zero_to_hero.gpt.model import GPTConfig
from zero_to_hero.gpt.training import TrainConfig
from zero_to_hero.recipes import Recipe

__all__ = ["GPTRecipe", "RECIPES", "SHAKESPEARE_VOCAB", "recipe"]


#: Tiny Shakespeare's characters: the vocabulary the recipes are written for; `recipe`
#: sets another.
SHAKESPEARE_VOCAB = 65

#: A GPT recipe: the model's config and its `TrainConfig`.
GPTRecipe = Recipe[GPTConfig, TrainConfig]


BABY = Recipe(
    "baby",
    "nanoGPT's CPU baby GPT (README recipe)",
    GPTConfig(
        SHAKESPEARE_VOCAB, block_size=64, n_layer=4, n_head=4, n_embd=128, dropout=0.0
    ),
    TrainConfig(
        batch_size=12,
        max_iters=2000,
        learning_rate=1e-3,
        min_lr=1e-4,
        warmup_iters=100,
        schedule="cosine",
        lr_decay_iters=2000,
        weight_decay=0.1,
        beta2=0.99,
        grad_clip=1.0,
        eval_interval=250,
        eval_iters=20,
    ),
)


FAST = Recipe(
    "fast",
    "this chapter's recipe for the baby GPT's size and steps",
    GPTConfig(
        SHAKESPEARE_VOCAB,
        block_size=64,
        n_layer=4,
        n_head=4,
        n_embd=128,
        dropout=0.0,
        position="rotary",
        activation="relu",
    ),
    TrainConfig(
        batch_size=12,
        max_iters=2000,
        learning_rate=3e-3,
        min_lr=0.0,
        warmup_iters=100,
        schedule="cosine",
        weight_decay=0.1,
        beta2=0.99,
        grad_clip=1.0,
        fused_adamw=True,
        eval_interval=250,
        eval_iters=20,
    ),
)


LECTURE = Recipe(
    "lecture",
    "the lecture's scaled-up GPT (10.8M parameters; for a GPU)",
    GPTConfig(
        SHAKESPEARE_VOCAB,
        block_size=256,
        n_layer=6,
        n_head=6,
        n_embd=384,
        dropout=0.2,
        bias=True,
        activation="relu",
        tie_weights=False,
    ),
    TrainConfig(
        batch_size=64,
        max_iters=5000,
        learning_rate=3e-4,
        min_lr=3e-4,
        warmup_iters=0,
        schedule="constant",
        weight_decay=0.01,  # torch.optim.AdamW's default, which the lecture keeps
        beta2=0.999,
        grad_clip=0.0,
        eval_interval=500,
        eval_iters=200,
    ),
)


TINY = Recipe(
    "tiny",
    "a few seconds on a CPU",
    GPTConfig(SHAKESPEARE_VOCAB, block_size=32, n_layer=2, n_head=2, n_embd=32),
    TrainConfig(
        batch_size=16,
        max_iters=200,
        learning_rate=3e-3,
        min_lr=3e-4,
        warmup_iters=20,
        eval_interval=50,
        eval_iters=5,
    ),
)


RECIPES: dict[str, GPTRecipe] = {
    "baby": BABY,
    "fast": FAST,
    "lecture": LECTURE,
    "tiny": TINY,
}


def recipe(
    name: str, vocab_size: int, **overrides: Any
) -> tuple[GPTConfig, TrainConfig]:
    """The configs of a named recipe, with any field of either config overridden by
    keyword.

    >>> model_config, train_config = recipe("baby", vocab_size=65, max_iters=10)
    >>> model_config.n_layer, train_config.max_iters, train_config.learning_rate
    (4, 10, 0.001)
    """
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose from {sorted(RECIPES)}")
    return RECIPES[name].configs(vocab_size=vocab_size, **overrides)
