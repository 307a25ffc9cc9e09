"""A recipe: a named model and how to train it.

Every chapter's trained models are recipes of this one type; what differs between
chapters is the type of the two configs it holds (the makemore chapter's
`MLPConfig` and `makemore.recipes.Training`, the GPT chapter's `GPTConfig` and
`TrainConfig`). A benchmark, a page or the command line runs a recipe by name.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Generic, TypeVar

__all__ = ["Recipe"]

ModelConfig = TypeVar("ModelConfig")
TrainingConfig = TypeVar("TrainingConfig")


@dataclass(frozen=True)
class Recipe(Generic[ModelConfig, TrainingConfig]):
    """A named model and how to train it.

    Attributes:
        name: Short name, as the command line and the results files use it.
        description: One line for tables.
        model: The architecture: the chapter's model config.
        training: The optimizer, schedule, batches and seed: the chapter's training
            config.
    """

    name: str
    description: str
    model: ModelConfig
    training: TrainingConfig

    @property
    def block_size(self) -> int:
        """Context length of the model."""
        return self.model.block_size  # type: ignore[attr-defined]

    def configs(self, **overrides: Any) -> tuple[ModelConfig, TrainingConfig]:
        """The two configs, with any field of either overridden by keyword.

        Raises:
            ValueError: a keyword that is a field of neither config.
        """
        model_fields = {f.name for f in fields(self.model)}
        train_fields = {f.name for f in fields(self.training)}
        unknown = set(overrides) - model_fields - train_fields
        if unknown:
            raise ValueError(
                f"unknown settings {sorted(unknown)} for recipe {self.name!r}"
            )
        model = {k: v for k, v in overrides.items() if k in model_fields}
        train = {k: v for k, v in overrides.items() if k in train_fields}
        return replace(self.model, **model), replace(self.training, **train)
