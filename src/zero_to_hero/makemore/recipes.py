"""Every trained model of the makemore chapters as a named recipe: model, data,
optimizer, seed.

The lecture recipes share one `torch.Generator` seeded with 2147483647 for the initial
weights *and* for the minibatches, so each run is deterministic: run it again (same
PyTorch build, same kind of CPU) and every number comes out the same, bit for bit. The
init-fixes series (`INIT_FIXES`) retraces the initialization lecture step by step, each
recipe changing one thing; `bn-mlp` is its last step, whose losses the lecture published
to every digit.

The WaveNet lecture seeds PyTorch's global generator with 42 instead and uses it the
same way; a `torch.Generator` seeded with 42 draws the same numbers, so `WAVENET_STAGES`
retraces that lecture's series, and its last step, `wavenet`, reproduces the published
losses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from zero_to_hero.makemore.dataset import Splits, make_splits
from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig, calibrate_batchnorm
from zero_to_hero.makemore.layers import Module
from zero_to_hero.makemore.mlp import MLP, MLPConfig
from zero_to_hero.makemore.train import (
    SGD,
    AdamW,
    History,
    cosine_decay,
    split_losses,
    step_decay,
    train,
)
from zero_to_hero.makemore.wavenet import WaveNet, WaveNetConfig
from zero_to_hero.recipes import Recipe

__all__ = [
    "LECTURE_SEED",
    "MakemoreRecipe",
    "Training",
    "build",
    "RECIPES",
    "INIT_FIXES",
    "WAVENET_STAGES",
    "Run",
    "run_recipe",
    "recipe",
]

#: The seed of the lectures' `torch.Generator`.
LECTURE_SEED = 2147483647


@dataclass(frozen=True)
class Training:
    """How a makemore recipe trains.

    `optimizer="sgd"` uses the lectures' step schedule (`lr` until `decay_at`, then
    `lr_decayed`); `"adamw"` a linear warm-up and a cosine decay to 0.
    """

    steps: int = 200_000
    batch_size: int = 32
    seed: int = LECTURE_SEED
    optimizer: str = "sgd"
    lr: float = 0.1
    lr_decayed: float = 0.01
    decay_at: int = 100_000
    warmup: int = 0
    weight_decay: float = 0.0
    #: After training, measure each BatchNorm's statistics on the training set in
    #: evaluation mode (`deep.calibrate_batchnorm`) instead of keeping the running
    #: averages.
    calibrate: bool = False

    def __post_init__(self) -> None:
        if self.optimizer not in ("sgd", "adamw"):
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}: use 'sgd' or 'adamw'"
            )

    def schedule(self, steps: int | None = None) -> Callable[[int], float]:
        """The learning rate as a function of the step, for a run of `steps` steps."""
        if self.optimizer == "sgd":
            return step_decay(self.lr, self.lr_decayed, self.decay_at)
        return cosine_decay(self.lr, steps or self.steps, self.warmup)

    def make_optimizer(self, model: Module) -> SGD | AdamW:
        """The optimizer over the model's parameters."""
        if self.optimizer == "sgd":
            return SGD(model.parameters())
        return AdamW(model.parameters(), weight_decay=self.weight_decay)


#: A makemore recipe: one of the chapter's model configs and its `Training`.
MakemoreRecipe = Recipe[MLPConfig | DeepMLPConfig | WaveNetConfig, Training]


def build(r: MakemoreRecipe) -> tuple[Module, torch.Generator]:
    """The recipe's freshly initialized model, and the generator, ready to draw
    minibatches (the lectures draw both from one generator)."""
    g = torch.Generator().manual_seed(r.training.seed)
    cls = {MLPConfig: MLP, DeepMLPConfig: DeepMLP, WaveNetConfig: WaveNet}[
        type(r.model)
    ]
    return cls(r.model, generator=g), g


KAIMING = dict(
    w1_scale=5 / 3, w1_fan_in=True, b1_scale=0.01, w2_scale=0.01, b2_scale=0.0
)

#: The initialization lecture's loss log, one change at a time, all on the same
#: 200k-step SGD.
INIT_FIXES: dict[str, MakemoreRecipe] = {
    r.name: r
    for r in [
        Recipe(
            "mlp",
            "the MLP of Bengio et al.: every tensor plain randn",
            MLPConfig(),
            Training(),
        ),
        Recipe(
            "mlp-softmax-fix",
            "fix softmax confidently wrong: W2 × 0.01, b2 × 0",
            MLPConfig(w2_scale=0.01, b2_scale=0.0),
            Training(),
        ),
        Recipe(
            "mlp-tanh-fix",
            "fix tanh saturated at init: W1 × 0.2, b1 × 0.01",
            MLPConfig(w1_scale=0.2, b1_scale=0.01, w2_scale=0.01, b2_scale=0.0),
            Training(),
        ),
        Recipe(
            "mlp-kaiming",
            "Kaiming init: W1 × (5/3)/√30",
            MLPConfig(**KAIMING),
            Training(),
        ),
        Recipe(
            "mlp-bn-b1",
            "add batch norm (b1 still there)",
            MLPConfig(**KAIMING, batchnorm=True),
            Training(),
        ),
        Recipe(
            "bn-mlp",
            "batch norm, b1 removed: the lecture's final recipe",
            MLPConfig(**KAIMING, batchnorm=True, hidden_bias=False),
            Training(),
        ),
    ]
}

#: Beyond the lectures: a wider context, two BatchNorm hidden layers, AdamW with a
#: cosine schedule, larger batches.
BEYOND = Recipe(
    "beyond",
    "context 8, 2 × 256 tanh units with BatchNorm, AdamW + cosine, batch 128",
    DeepMLPConfig(
        block_size=8,
        n_embd=16,
        n_hidden=256,
        n_layers=2,
        output_batchnorm=False,
        last_scale=0.1,
    ),
    Training(
        steps=20_000,
        batch_size=128,
        seed=42,
        optimizer="adamw",
        lr=0.01,
        warmup=400,
        weight_decay=0.01,
    ),
)

# the WaveNet lecture: seed 42, lr 0.01 from 150k
PART5 = dict(seed=42, decay_at=150_000)

#: The WaveNet lecture's performance log, one change at a time, each 200,000 SGD steps.
WAVENET_STAGES: dict[str, MakemoreRecipe] = {
    r.name: r
    for r in [
        Recipe(
            "flat-ctx3",
            "the starting point: context 3, one layer of 200 (12K parameters)",
            WaveNetConfig(n_embd=10, n_hidden=200, merges=(3,)),
            Training(**PART5),
        ),
        Recipe(
            "flat-ctx8",
            "context 3 → 8, still flattened at once (22K)",
            WaveNetConfig(n_embd=10, n_hidden=200, merges=(8,)),
            Training(**PART5),
        ),
        Recipe(
            "tree-bn-bug",
            "hierarchical: pairs, then pairs of pairs (22K), BatchNorm per position",
            WaveNetConfig(n_embd=10, n_hidden=68, per_position_bn=True),
            Training(**PART5),
        ),
        Recipe(
            "tree",
            "the BatchNorm fixed: statistics over batch and positions (22K)",
            WaveNetConfig(n_embd=10, n_hidden=68),
            Training(**PART5),
        ),
        Recipe(
            "wavenet",
            "scaled up: embeddings of 24, 128 hidden units (76K)",
            WaveNetConfig(n_embd=24, n_hidden=128),
            Training(**PART5),
        ),
    ]
}

#: Every recipe by name.
RECIPES: dict[str, MakemoreRecipe] = {
    **INIT_FIXES,
    "deep": Recipe(
        "deep",
        "the lecture's deeper network: 5 × [Linear, BatchNorm, Tanh] of 100 units",
        DeepMLPConfig(),
        # the lecture trains it only this far, to look at the diagnostics
        Training(steps=1_000, decay_at=150_000),
    ),
    "beyond": BEYOND,
    **WAVENET_STAGES,
}


def recipe(name: str) -> MakemoreRecipe:
    """A recipe by name, with a clear error listing the known ones."""
    try:
        return RECIPES[name]
    except KeyError:
        raise KeyError(
            f"no recipe {name!r}; choose from {', '.join(RECIPES)}"
        ) from None


@dataclass
class Run:
    """A trained model, how it trained, and its final losses."""

    recipe: MakemoreRecipe
    model: Module
    history: History
    losses: dict[str, float]


def run_recipe(
    r: MakemoreRecipe | str,
    splits: Splits | None = None,
    steps: int | None = None,
    splits_to_eval: tuple[str, ...] = ("train", "val"),
    **train_kwargs: Any,
) -> Run:
    """Build and train a recipe's model, then evaluate it.

    Args:
        r: The recipe or its name.
        splits: The data at the recipe's context length (made from `names.txt` if
            omitted).
        steps: Train for this many steps instead of the recipe's. An SGD recipe then
            runs the same schedule and random draws, cut off early; an AdamW recipe fits
            its cosine schedule to the new length.
        splits_to_eval: Which splits to measure the final loss on.
        **train_kwargs: Passed on to `train` (`on_step`, `track_update_ratios`).
    """
    r = recipe(r) if isinstance(r, str) else r
    if splits is None:
        splits = make_splits(block_size=r.block_size)
    if splits.block_size != r.block_size:
        raise ValueError(
            f"recipe {r.name!r} reads {r.block_size} characters of context, but the "
            f"splits were built with block_size={splits.block_size}"
        )
    steps = r.training.steps if steps is None else steps
    model, g = build(r)
    history = train(
        model,
        splits.train.X,
        splits.train.Y,
        steps,
        batch_size=r.training.batch_size,
        lr=r.training.schedule(steps),
        generator=g,
        optimizer=r.training.make_optimizer(model),
        **train_kwargs,
    )
    if r.training.calibrate:
        calibrate_batchnorm(model, splits.train.X)
    return Run(r, model, history, split_losses(model, splits, splits_to_eval))
