"""Solutions to the exercises at the end of the makemore pages, one module per page.

Each solution is shown, collapsed, under its exercise, and
`tests/makemore/test_exercises.py` runs it. Try the exercise before you open the
solution. Every name is also importable from this package:
`from zero_to_hero.makemore.exercises import ngram_counts`.
"""

from zero_to_hero.makemore.exercises.backprop import (
    finite_difference_check,
    label_smoothing_backward,
    one_hot_embedding_backward,
    useless_bias_gradient,
)
from zero_to_hero.makemore.exercises.batchnorm import (
    bias_gradient_before_batchnorm,
    fold_all_batchnorms,
    fold_batchnorm,
    unigram_entropy,
    zero_init_run,
)
from zero_to_hero.makemore.exercises.batchnorm_math import (
    batchnorm_scale_invariance,
    layernorm_backward,
    steps_to_forget,
)
from zero_to_hero.makemore.exercises.bigram import (
    best_smoothing,
    bigram_weights_from_counts,
    context_ids,
    naive_nll,
    ngram_counts,
    ngram_nll,
)
from zero_to_hero.makemore.exercises.mlp import (
    QUICK,
    DirectMLP,
    initial_loss,
    suggest_lr,
    vowel_similarity,
)
from zero_to_hero.makemore.exercises.wavenet import (
    conv1d_levels,
    conv1d_logits,
    deeper_context,
    receptive_field,
    wavenet_parameter_count,
)

__all__ = [
    # bigram page
    "context_ids",
    "ngram_counts",
    "ngram_nll",
    "best_smoothing",
    "bigram_weights_from_counts",
    "naive_nll",
    # MLP page
    "initial_loss",
    "suggest_lr",
    "QUICK",
    "vowel_similarity",
    "DirectMLP",
    # initialization and BatchNorm page
    "zero_init_run",
    "unigram_entropy",
    "bias_gradient_before_batchnorm",
    "fold_batchnorm",
    "fold_all_batchnorms",
    # BatchNorm math page
    "layernorm_backward",
    "batchnorm_scale_invariance",
    "steps_to_forget",
    # manual backprop page
    "finite_difference_check",
    "one_hot_embedding_backward",
    "label_smoothing_backward",
    "useless_bias_gradient",
    # WaveNet page
    "wavenet_parameter_count",
    "receptive_field",
    "conv1d_levels",
    "conv1d_logits",
    "deeper_context",
]
