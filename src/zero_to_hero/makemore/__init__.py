"""makemore: character-level language models of names, from bigram counts to a WaveNet.

The modules follow the chapter: `dataset` (context windows and the lectures' split),
`bigram` (counts and the neural bigram), `sampling`, `mlp` (Bengio et al.'s MLP with
bare tensors), `layers` (hand-written `torch.nn`-style layers), `deep` (the MLP built
from layers), `train` (minibatch training and evaluation), `diagnostics`, `recipes`
(every trained model, by name), `bnmath` (BatchNorm's backward pass by hand), `backprop`
(every gradient of an MLP by hand), `wavenet` (the hierarchical model), `saving`,
`plots` and `exercises`. Beyond the lectures, the GPT chapter's model on whole names
lives in that chapter: `zero_to_hero.gpt.names`.
"""

from zero_to_hero.makemore.bigram import BigramCounts, NeuralBigram, count_bigrams
from zero_to_hero.makemore.dataset import (
    Splits,
    build_windows,
    lecture_split,
    make_splits,
)
from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig
from zero_to_hero.makemore.layers import (
    BatchNorm1d,
    Embedding,
    Flatten,
    Linear,
    Module,
    Sequential,
    Tanh,
)
from zero_to_hero.makemore.mlp import MLP, MLPConfig
from zero_to_hero.makemore.recipes import RECIPES, run_recipe
from zero_to_hero.makemore.sampling import sample_names
from zero_to_hero.makemore.train import evaluate, train

__all__ = [
    "build_windows",
    "lecture_split",
    "make_splits",
    "Splits",
    "count_bigrams",
    "BigramCounts",
    "NeuralBigram",
    "sample_names",
    "MLPConfig",
    "MLP",
    "Module",
    "Linear",
    "BatchNorm1d",
    "Tanh",
    "Embedding",
    "Flatten",
    "Sequential",
    "DeepMLPConfig",
    "DeepMLP",
    "train",
    "evaluate",
    "RECIPES",
    "run_recipe",
]
