"""One recipe type: every named model of every chapter is a
`zero_to_hero.recipes.Recipe` of the chapter's model config and training config."""

from dataclasses import FrozenInstanceError

import pytest

from zero_to_hero.gpt.model import GPTConfig
from zero_to_hero.gpt.names import BEYOND_GPT, NamesTraining
from zero_to_hero.gpt.recipes import RECIPES as GPT_RECIPES
from zero_to_hero.gpt.recipes import recipe as gpt_recipe
from zero_to_hero.gpt.training import TrainConfig
from zero_to_hero.makemore.exercises.mlp import QUICK
from zero_to_hero.makemore.recipes import RECIPES as MAKEMORE_RECIPES
from zero_to_hero.makemore.recipes import Training
from zero_to_hero.recipes import Recipe


def test_every_chapter_names_its_models_with_the_one_recipe_type():
    every = [*MAKEMORE_RECIPES.values(), QUICK, *GPT_RECIPES.values(), BEYOND_GPT]
    assert all(type(r) is Recipe for r in every)
    assert all(isinstance(r.training, Training) for r in MAKEMORE_RECIPES.values())
    assert all(isinstance(r.model, GPTConfig) for r in GPT_RECIPES.values())
    assert isinstance(BEYOND_GPT.training, NamesTraining)
    assert isinstance(BEYOND_GPT.training, TrainConfig)
    named = {**MAKEMORE_RECIPES, **GPT_RECIPES}
    assert all(name == r.name for name, r in named.items())
    assert {r.block_size for r in every} >= {3, 8, 16, 64}


def test_a_recipe_is_frozen_and_gpt_overrides_make_new_configs():
    with pytest.raises(FrozenInstanceError):
        GPT_RECIPES["baby"].name = "other"
    model, training = gpt_recipe("baby", 50, n_layer=2, max_iters=7)
    assert (model.vocab_size, model.n_layer, training.max_iters) == (50, 2, 7)
    baby = GPT_RECIPES["baby"]
    assert (baby.model.n_layer, baby.training.max_iters) == (4, 2000)
    assert training.learning_rate == baby.training.learning_rate
