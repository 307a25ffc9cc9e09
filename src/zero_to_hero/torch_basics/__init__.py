"""PyTorch basics: from micrograd's `Value` to tensors, dtypes, the training loop, loss
functions and the errors they raise.

* [`checks`][zero_to_hero.torch_basics.checks]: `check_classification_batch`, which says
  in plain words what is wrong with a batch for a loss before torch raises;
* [`errors`][zero_to_hero.torch_basics.errors]: the documented errors, each with a
  reproduction, a fix and the exact message torch raises;
* [`training`][zero_to_hero.torch_basics.training]: device, seeding, an `MLP`, the loop;
* [`examples`][zero_to_hero.torch_basics.examples]: binary and multi-class classifiers
  on generated data;
* [`losses`][zero_to_hero.torch_basics.losses] and
  [`bridge`][zero_to_hero.torch_basics.bridge]: binary cross-entropy by hand, and
  micrograd next to PyTorch.
"""

from zero_to_hero.torch_basics.checks import (
    Diagnosis,
    Problem,
    check_classification_batch,
    check_regression_batch,
)
from zero_to_hero.torch_basics.training import MLP, fit, pick_device, seed_everything

__all__ = [
    "check_classification_batch",
    "check_regression_batch",
    "Diagnosis",
    "Problem",
    "MLP",
    "fit",
    "pick_device",
    "seed_everything",
]
