"""The errors learners meet most in PyTorch: a minimal reproduction, the fix, and the
exact message.

Every entry of [`ERRORS`][zero_to_hero.torch_basics.errors.ERRORS] pairs a function that
makes the mistake with a function that does it right, and records the exception type and
the exact message that torch 2.13 raises. This module is the only place those messages
are written down:

* the "Common errors" page runs every reproduction when the site is built and prints
  what the installed torch actually says, and its index is built with
  [`KnownError.verify`][zero_to_hero.torch_basics.errors.KnownError.verify], which fails
  the build if torch's wording ever differs from the recorded one;
* the test suite asserts the same messages, so a torch upgrade that rewords one fails
  the tests and the build, and this file is where the new wording goes.

Loss-function mistakes return their batch `(outputs, targets, loss_fn)` instead of
computing the loss, so the pages and the tests can also ask
`checks.check_classification_batch`
for its verdict before torch raises.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from zero_to_hero.torch_basics.checks import (
    REGRESSION_LOSSES,
    Diagnosis,
    check_classification_batch,
    check_regression_batch,
)

__all__ = [
    "KnownError",
    "MessageChangedError",
    "ERRORS",
    "CATEGORIES",
    "CUDA_DEVICE_MISMATCH",
]

Batch = tuple[torch.Tensor, torch.Tensor, nn.Module]

CUDA_DEVICE_MISMATCH = "Expected all tensors to be on the same device"
"""How torch begins the message for a CPU/GPU mix-up on a CUDA machine; the rest names
the devices and the operation, worded differently across versions. Checked by the tests
whenever a GPU is present."""


# --------------------------------------------------------------------------------------
# dtypes


def numpy_features_into_linear():
    features = np.random.default_rng(0).normal(size=(4, 3))  # numpy makes float64
    x = torch.from_numpy(features)  # ...and from_numpy keeps it: a float64 tensor
    model = nn.Linear(3, 1)  # weights are float32, torch's default
    return model(x)


def numpy_features_into_linear_fixed():
    features = np.random.default_rng(0).normal(size=(4, 3))
    x = torch.from_numpy(features).float()  # convert once, where the data enters torch
    model = nn.Linear(3, 1)
    return model(x)


def numpy_sequences_times_weights():
    # [batch, time, channels]
    sequences = np.random.default_rng(0).normal(size=(2, 4, 3))
    x = torch.from_numpy(sequences)  # float64
    # float32
    weights = torch.randn(2, 3, 5, generator=torch.Generator().manual_seed(0))
    return x @ weights  # a batched (3-D) matrix product


def numpy_sequences_times_weights_fixed():
    sequences = np.random.default_rng(0).normal(size=(2, 4, 3))
    x = torch.from_numpy(sequences).float()
    weights = torch.randn(2, 3, 5, generator=torch.Generator().manual_seed(0))
    return x @ weights


def integer_features_into_linear():
    x = torch.tensor([[1, 0, 3], [2, 5, 1]])  # Python ints make an int64 tensor
    model = nn.Linear(3, 1)
    return model(x)


def integer_features_into_linear_fixed():
    x = torch.tensor([[1, 0, 3], [2, 5, 1]], dtype=torch.float32)
    model = nn.Linear(3, 1)
    return model(x)


def accuracy_as_mean_of_bools():
    predictions = torch.tensor([1, 0, 2, 2])
    labels = torch.tensor([1, 1, 2, 0])
    return (predictions == labels).mean()  # == gives a bool tensor


def accuracy_as_mean_of_bools_fixed():
    predictions = torch.tensor([1, 0, 2, 2])
    labels = torch.tensor([1, 1, 2, 0])
    return (predictions == labels).float().mean()


def integer_parameter():
    return torch.tensor([2, -3], requires_grad=True)  # ints: no gradients for integers


def integer_parameter_fixed():
    return torch.tensor([2.0, -3.0], requires_grad=True)


def halve_integers_in_place():
    counts = torch.tensor([1, 2, 3])
    counts /= 2  # true division makes floats, which an int64 tensor cannot hold
    return counts


def halve_integers_in_place_fixed():
    counts = torch.tensor([1, 2, 3])
    return counts / 2  # a new float32 tensor (or counts // 2 to stay integer)


# --------------------------------------------------------------------------------------
# labels for classification losses: each returns the batch (outputs, targets, loss_fn)


def ce_float_targets():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([0.0, 2.0, 1.0, 2.0])  # class numbers, stored as floats
    return logits, targets, nn.CrossEntropyLoss()


def ce_float_targets_fixed():
    logits, targets, loss_fn = ce_float_targets()
    return logits, targets.long(), loss_fn


def ce_int32_targets():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    labels = np.array([0, 2, 1, 2], dtype=np.int32)  # e.g. read from a file as int32
    return logits, torch.from_numpy(labels), nn.CrossEntropyLoss()


def ce_int32_targets_fixed():
    logits, targets, loss_fn = ce_int32_targets()
    return logits, targets.long(), loss_fn


def ce_column_targets():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([[0], [2], [1], [2]])  # a column [4, 1], not a vector [4]
    return logits, targets, nn.CrossEntropyLoss()


def ce_column_targets_fixed():
    logits, targets, loss_fn = ce_column_targets()
    return logits, targets.squeeze(1), loss_fn


def ce_one_hot_targets():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    targets = F.one_hot(torch.tensor([0, 2, 1, 2]), num_classes=3)  # int64 [4, 3]
    return logits, targets, nn.CrossEntropyLoss()


def ce_one_hot_targets_fixed():
    logits, targets, loss_fn = ce_one_hot_targets()
    return logits, targets.argmax(dim=1), loss_fn  # back to class indices [4]


def ce_one_based_labels():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([1, 3, 2, 3])  # classes numbered 1, 2, 3
    return logits, targets, nn.CrossEntropyLoss()


def ce_one_based_labels_fixed():
    logits, targets, loss_fn = ce_one_based_labels()
    return logits, targets - 1, loss_fn  # classes 0, 1, 2


def ce_single_output():
    model = nn.Linear(2, 1)  # one output per example, as for BCEWithLogitsLoss
    x = torch.randn(4, 2, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([0, 1, 1, 0])
    return model(x), targets, nn.CrossEntropyLoss()


def ce_single_output_fixed():
    model = nn.Linear(2, 2)  # one score per class
    x = torch.randn(4, 2, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([0, 1, 1, 0])
    return model(x), targets, nn.CrossEntropyLoss()


def ce_labels_of_the_whole_set():
    gen = torch.Generator().manual_seed(0)
    X, Y = torch.randn(6, 2, generator=gen), torch.tensor([0, 1, 2, 1, 0, 2])
    model = nn.Linear(2, 3)
    batch = torch.tensor([5, 0, 3, 1])  # a minibatch of 4 examples
    return model(X[batch]), Y, nn.CrossEntropyLoss()  # ...scored against all 6 labels


def ce_labels_of_the_whole_set_fixed():
    gen = torch.Generator().manual_seed(0)
    X, Y = torch.randn(6, 2, generator=gen), torch.tensor([0, 1, 2, 1, 0, 2])
    model = nn.Linear(2, 3)
    batch = torch.tensor([5, 0, 3, 1])
    return model(X[batch]), Y[batch], nn.CrossEntropyLoss()


def ce_sequence_scores_class_last():
    # a language model's scores: [batch 2, time 5, classes 3], one label per position
    logits = torch.randn(2, 5, 3, generator=torch.Generator().manual_seed(0))
    targets = torch.randint(0, 3, (2, 5), generator=torch.Generator().manual_seed(1))
    return logits, targets, nn.CrossEntropyLoss()


def ce_sequence_scores_class_last_fixed():
    logits, targets, loss_fn = ce_sequence_scores_class_last()
    B, T, C = logits.shape
    return logits.view(B * T, C), targets.view(B * T), loss_fn  # N = B*T examples


def bce_with_logits_long_targets():
    logits = torch.randn(4, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([0, 1, 1, 0])  # int64 labels
    return logits, targets, nn.BCEWithLogitsLoss()


def bce_with_logits_long_targets_fixed():
    logits, targets, loss_fn = bce_with_logits_long_targets()
    return logits, targets.float(), loss_fn


def bce_with_logits_column_outputs():
    model = nn.Linear(2, 1)  # outputs [4, 1]
    x = torch.randn(4, 2, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([0.0, 1.0, 1.0, 0.0])  # targets [4]
    return model(x), targets, nn.BCEWithLogitsLoss()


def bce_with_logits_column_outputs_fixed():
    outputs, targets, loss_fn = bce_with_logits_column_outputs()
    return outputs.squeeze(1), targets, loss_fn  # both [4]


def bce_long_targets():
    probabilities = torch.sigmoid(
        torch.randn(4, generator=torch.Generator().manual_seed(0))
    )
    targets = torch.tensor([0, 1, 1, 0])
    return probabilities, targets, nn.BCELoss()


def bce_long_targets_fixed():
    probabilities, targets, loss_fn = bce_long_targets()
    return probabilities, targets.float(), loss_fn


def bce_numpy_targets():
    probabilities = torch.sigmoid(
        torch.randn(4, generator=torch.Generator().manual_seed(0))
    )
    targets = torch.from_numpy(np.array([0.0, 1.0, 1.0, 0.0]))  # float64
    return probabilities, targets, nn.BCELoss()


def bce_numpy_targets_fixed():
    probabilities, targets, loss_fn = bce_numpy_targets()
    return probabilities, targets.float(), loss_fn


def bce_column_outputs():
    probabilities = torch.sigmoid(
        torch.randn(4, 1, generator=torch.Generator().manual_seed(0))
    )
    targets = torch.tensor([0.0, 1.0, 1.0, 0.0])
    return probabilities, targets, nn.BCELoss()


def bce_column_outputs_fixed():
    probabilities, targets, loss_fn = bce_column_outputs()
    return probabilities, targets.unsqueeze(1), loss_fn  # both [4, 1]


def bce_on_logits():
    # any real numbers
    logits = torch.randn(4, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([0.0, 1.0, 1.0, 0.0])
    return logits, targets, nn.BCELoss()


def bce_on_logits_fixed():
    logits, targets, _ = bce_on_logits()
    # takes logits, applies the sigmoid itself
    return (
        logits,
        targets,
        nn.BCEWithLogitsLoss(),
    )


def bce_plus_minus_one_labels():
    probabilities = torch.sigmoid(
        torch.randn(4, generator=torch.Generator().manual_seed(0))
    )
    # labels of a hinge loss (micrograd demo)
    targets = torch.tensor([-1.0, 1.0, 1.0, -1.0])
    return probabilities, targets, nn.BCELoss()


def bce_plus_minus_one_labels_fixed():
    probabilities, targets, loss_fn = bce_plus_minus_one_labels()
    return probabilities, (targets + 1) / 2, loss_fn  # -1 → 0, +1 → 1


def mse_column_predictions():
    predictions = torch.zeros(4, 1)  # a regression model's output: [4, 1]
    targets = torch.tensor([1.0, 2.0, 3.0, 4.0])  # [4]
    return predictions, targets, nn.MSELoss()


def mse_column_predictions_fixed():
    predictions, targets, loss_fn = mse_column_predictions()
    return predictions.squeeze(1), targets, loss_fn


# --------------------------------------------------------------------------------------
# shapes


def wrong_in_features():
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))  # 3 features
    model = nn.Linear(2, 8)  # built for 2
    return model(x)


def wrong_in_features_fixed():
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    model = nn.Linear(x.shape[1], 8)  # in_features = number of columns of x
    return model(x)


def softmax_without_dim():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # make the warning an exception, as our tests do
        return F.softmax(logits)


def softmax_without_dim_fixed():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    return F.softmax(logits, dim=1)  # over the classes: each row sums to 1


def item_of_per_example_losses():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([0, 2, 1, 2])
    losses = F.cross_entropy(logits, targets, reduction="none")  # one loss per example
    return losses.item()


def item_of_per_example_losses_fixed():
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([0, 2, 1, 2])
    losses = F.cross_entropy(logits, targets, reduction="none")
    return losses.mean().item()  # or losses.tolist() for all four


# --------------------------------------------------------------------------------------
# autograd


def update_weights_in_place():
    w = torch.tensor([2.0, -3.0], requires_grad=True)
    loss = (w**2).sum()
    loss.backward()
    w -= 0.1 * w.grad  # autograd is still recording: it would differentiate the update
    return w


def update_weights_in_place_fixed():
    w = torch.tensor([2.0, -3.0], requires_grad=True)
    loss = (w**2).sum()
    loss.backward()
    with torch.no_grad():  # the update is not part of the model
        w -= 0.1 * w.grad
    return w


def backward_twice():
    w = torch.tensor([2.0, -3.0], requires_grad=True)
    loss = torch.exp(w).sum()  # exp saves its output for the backward pass
    loss.backward()
    loss.backward()  # the saved output was freed by the first call
    return w.grad


def backward_twice_fixed():
    w = torch.tensor([2.0, -3.0], requires_grad=True)
    for _ in range(2):  # every step builds a fresh graph: forward, then backward once
        w.grad = None
        loss = torch.exp(w).sum()
        loss.backward()
    return w.grad


def softmax_by_hand_in_place():
    z = torch.randn(
        2, 3, generator=torch.Generator().manual_seed(0), requires_grad=True
    )
    p = torch.exp(z)  # exp saves its output: its derivative is the output itself
    p /= p.sum(dim=1, keepdim=True)  # ...which this division then overwrites
    p[:, 0].sum().backward()
    return z.grad


def softmax_by_hand_in_place_fixed():
    z = torch.randn(
        2, 3, generator=torch.Generator().manual_seed(0), requires_grad=True
    )
    e = torch.exp(z)
    p = e / e.sum(dim=1, keepdim=True)  # a new tensor; e stays as exp saved it
    p[:, 0].sum().backward()
    return z.grad


def backward_per_example_losses():
    w = torch.tensor([0.5, -0.5], requires_grad=True)
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    losses = (x @ w - 1.0) ** 2  # three losses, one per example
    losses.backward()
    return w.grad


def backward_per_example_losses_fixed():
    w = torch.tensor([0.5, -0.5], requires_grad=True)
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    loss = ((x @ w - 1.0) ** 2).mean()  # one number to minimise
    loss.backward()
    return w.grad


def backward_of_a_no_grad_loss():
    w = torch.tensor([0.5, -0.5], requires_grad=True)
    with torch.no_grad():  # e.g. evaluation code reused for training
        loss = (w**2).sum()
    loss.backward()
    return w.grad


def backward_of_a_no_grad_loss_fixed():
    w = torch.tensor([0.5, -0.5], requires_grad=True)
    loss = (w**2).sum()  # computed with autograd recording
    loss.backward()
    return w.grad


def numpy_of_a_parameter():
    model = nn.Linear(2, 1)
    return model.weight.numpy()  # e.g. to plot it


def numpy_of_a_parameter_fixed():
    model = nn.Linear(2, 1)
    # cut it from the graph, bring it to the CPU
    return model.weight.detach().cpu().numpy()


# --------------------------------------------------------------------------------------
# devices


def model_moved_batch_not(device: str = "meta"):
    # "meta" tensors have shapes but no data: a second device on any machine. On a GPU
    # machine, device = "cuda" makes the same mistake.
    model = nn.Linear(3, 1).to(device)
    x = torch.randn(4, 3)  # created on the CPU and never moved
    return model(x)


def model_moved_batch_not_fixed(device: str = "meta"):
    model = nn.Linear(3, 1).to(device)
    x = torch.randn(4, 3).to(device)  # every batch goes where the model is
    return model(x)


# --------------------------------------------------------------------------------------
# the registry


class MessageChangedError(AssertionError):
    """The installed torch raised something other than the recorded exception and
    message."""


@dataclass(frozen=True)
class KnownError:
    """One documented mistake: how to make it, how to fix it, and what torch says.

    Attributes:
        key: Stable identifier; also the anchor of its section on the "Common errors"
            page.
        category: Which group of the page it belongs to (a key of `CATEGORIES`).
        raises: The exception type torch raises (`UserWarning` for a warning made an
            error).
        message: The message, exactly as torch 2.13 words it.
        summary: The usual cause, in one line, for the page's index.
        reproduce: Makes the mistake. For a loss mistake it returns the batch
            `(outputs, targets, loss_fn)` and `trigger()` computes the loss.
        fix: Does it right (for a loss mistake: returns the corrected batch).
        diagnosis: For a loss mistake, the problem code the batch checker reports.
    """

    key: str
    category: str
    raises: type[Exception]
    message: str
    summary: str
    reproduce: Callable[[], Any]
    fix: Callable[[], Any]
    diagnosis: str = ""

    @property
    def is_batch(self) -> bool:
        """True for loss mistakes, whose functions return a batch."""
        return bool(self.diagnosis)

    def _run(self, fn: Callable[[], Any]) -> Any:
        with warnings.catch_warnings():
            # a warning is an error here, as in the tests
            warnings.simplefilter("error")
            result = fn()
            if self.is_batch:
                outputs, targets, loss_fn = result
                return loss_fn(outputs, targets)
            return result

    def trigger(self) -> Any:
        """Run the reproduction; for a batch, compute the loss on it. Warnings become
        errors."""
        return self._run(self.reproduce)

    def run_fix(self) -> Any:
        """Run the fixed version (for a batch: compute the loss); warnings become
        errors."""
        return self._run(self.fix)

    def diagnose(self, fixed: bool = False) -> Diagnosis:
        """The batch checker's verdict on the reproduction's batch (or on the fixed
        one)."""
        if not self.is_batch:
            raise ValueError(
                f"{self.key!r} is not a loss mistake: there is no batch to check"
            )
        outputs, targets, loss_fn = (self.fix if fixed else self.reproduce)()
        check = (
            check_regression_batch
            if isinstance(loss_fn, REGRESSION_LOSSES)
            else check_classification_batch
        )
        return check(outputs, targets, loss_fn)

    def verify(self) -> str:
        """Make the mistake and return the message, checking it is the recorded one.

        Raises:
            MessageChangedError: the installed torch raised nothing, another exception
                type, or another message. Update `message` in this module after checking
                the page.
        """
        try:
            self.trigger()
        except self.raises as err:
            actual = str(err)
            if actual != self.message:
                raise MessageChangedError(
                    f"{self.key}: torch {torch.__version__} now says\n  {actual!r}\n"
                    f"but zero_to_hero.torch_basics.errors records\n  {self.message!r}"
                ) from err
            return actual
        except Exception as err:
            raise MessageChangedError(
                f"{self.key}: expected {self.raises.__name__}, torch "
                f"{torch.__version__} raised {type(err).__name__}: {err}"
            ) from err
        raise MessageChangedError(
            f"{self.key}: torch {torch.__version__} no longer raises anything"
        )


CATEGORIES = {
    "dtype": "dtypes",
    "labels": "Labels and loss functions",
    "shapes": "Shapes",
    "autograd": "Autograd",
    "device": "Devices",
}
"""The groups of the "Common errors" page, in order: key → heading."""


def _registry() -> dict[str, KnownError]:
    _E = KnownError
    entries = [
        _E(
            "float64-input",
            "dtype",
            RuntimeError,
            "mat1 and mat2 must have the same dtype, but got Double and Float",
            "float64 data (from numpy) into a float32 model",
            numpy_features_into_linear,
            numpy_features_into_linear_fixed,
        ),
        _E(
            "float64-batched-matmul",
            "dtype",
            RuntimeError,
            "expected scalar type Double but found Float",
            "float64 data (from numpy) in a batched matrix product with float32 "
            "weights",
            numpy_sequences_times_weights,
            numpy_sequences_times_weights_fixed,
        ),
        _E(
            "integer-features",
            "dtype",
            RuntimeError,
            "mat1 and mat2 must have the same dtype, but got Long and Float",
            "integer features (a tensor made from Python ints) into a model",
            integer_features_into_linear,
            integer_features_into_linear_fixed,
        ),
        _E(
            "bool-mean",
            "dtype",
            RuntimeError,
            "mean(): could not infer output dtype. Input dtype must be either a "
            "floating point or complex dtype. Got: Bool",
            "accuracy as the mean of a comparison, which is a bool tensor",
            accuracy_as_mean_of_bools,
            accuracy_as_mean_of_bools_fixed,
        ),
        _E(
            "integer-requires-grad",
            "dtype",
            RuntimeError,
            "Only Tensors of floating point and complex dtype can require gradients",
            "a parameter created from Python ints",
            integer_parameter,
            integer_parameter_fixed,
        ),
        _E(
            "integer-in-place",
            "dtype",
            RuntimeError,
            "result type Float can't be cast to the desired output type Long",
            "an in-place operation whose result is float on an int64 tensor",
            halve_integers_in_place,
            halve_integers_in_place_fixed,
        ),
        _E(
            "ce-float-targets",
            "labels",
            RuntimeError,
            "expected target dtype to be Long or Byte, but got Float",
            "CrossEntropyLoss class indices stored as floats",
            ce_float_targets,
            ce_float_targets_fixed,
            "target-dtype",
        ),
        _E(
            "ce-int32-targets",
            "labels",
            RuntimeError,
            "expected target dtype to be Long or Byte, but got Int",
            "CrossEntropyLoss class indices stored as int32",
            ce_int32_targets,
            ce_int32_targets_fixed,
            "target-dtype",
        ),
        _E(
            "ce-column-targets",
            "labels",
            RuntimeError,
            "0D or 1D target tensor expected, multi-target not supported",
            "CrossEntropyLoss targets shaped [N, 1] instead of [N]",
            ce_column_targets,
            ce_column_targets_fixed,
            "target-shape",
        ),
        _E(
            "ce-one-hot",
            "labels",
            RuntimeError,
            "Expected floating point type for target with class probabilities, got "
            "Long",
            "one-hot int64 targets for CrossEntropyLoss",
            ce_one_hot_targets,
            ce_one_hot_targets_fixed,
            "one-hot",
        ),
        _E(
            "ce-one-based",
            "labels",
            IndexError,
            "Target 3 is out of bounds.",
            "classes numbered from 1 instead of 0",
            ce_one_based_labels,
            ce_one_based_labels_fixed,
            "target-range",
        ),
        _E(
            "ce-single-logit",
            "labels",
            IndexError,
            "Target 1 is out of bounds.",
            "a single output per example with CrossEntropyLoss",
            ce_single_output,
            ce_single_output_fixed,
            "target-range",
        ),
        _E(
            "ce-batch-size",
            "labels",
            ValueError,
            "Expected input batch_size (4) to match target batch_size (6).",
            "a minibatch's outputs against the whole data set's labels",
            ce_labels_of_the_whole_set,
            ce_labels_of_the_whole_set_fixed,
            "batch-size",
        ),
        _E(
            "ce-class-last",
            "labels",
            RuntimeError,
            "Expected target size [2, 3], got [2, 5]",
            "sequence scores [B, T, C] given to CrossEntropyLoss, which wants "
            "[B, C, T]",
            ce_sequence_scores_class_last,
            ce_sequence_scores_class_last_fixed,
            "target-shape",
        ),
        _E(
            "bce-long-targets",
            "labels",
            RuntimeError,
            "result type Float can't be cast to the desired output type Long",
            "int64 labels for BCEWithLogitsLoss",
            bce_with_logits_long_targets,
            bce_with_logits_long_targets_fixed,
            "target-dtype",
        ),
        _E(
            "bce-shape",
            "labels",
            ValueError,
            "Target size (torch.Size([4])) must be the same as input size "
            "(torch.Size([4, 1]))",
            "BCEWithLogitsLoss on outputs [N, 1] and targets [N]",
            bce_with_logits_column_outputs,
            bce_with_logits_column_outputs_fixed,
            "target-shape",
        ),
        _E(
            "bceloss-long-targets",
            "labels",
            RuntimeError,
            "Found dtype Long but expected Float",
            "int64 labels for BCELoss",
            bce_long_targets,
            bce_long_targets_fixed,
            "target-dtype",
        ),
        _E(
            "bceloss-double-targets",
            "labels",
            RuntimeError,
            "Found dtype Double but expected Float",
            "float64 labels (from numpy) for BCELoss",
            bce_numpy_targets,
            bce_numpy_targets_fixed,
            "target-dtype",
        ),
        _E(
            "bceloss-shape",
            "labels",
            ValueError,
            "Using a target size (torch.Size([4])) that is different to the input size "
            "(torch.Size([4, 1])) is deprecated. Please ensure they have the same "
            "size.",
            "BCELoss on outputs [N, 1] and targets [N]",
            bce_column_outputs,
            bce_column_outputs_fixed,
            "target-shape",
        ),
        _E(
            "bceloss-logits",
            "labels",
            RuntimeError,
            "all elements of input should be between 0 and 1",
            "logits (raw scores) given to BCELoss, which wants probabilities",
            bce_on_logits,
            bce_on_logits_fixed,
            "output-range",
        ),
        _E(
            "bceloss-plus-minus-one",
            "labels",
            RuntimeError,
            "all elements of target should be between 0 and 1",
            "labels -1/+1 given to BCELoss, which wants 0/1",
            bce_plus_minus_one_labels,
            bce_plus_minus_one_labels_fixed,
            "target-range",
        ),
        _E(
            "mse-broadcast",
            "labels",
            UserWarning,
            "Using a target size (torch.Size([4])) that is different to the input size "
            "(torch.Size([4, 1])). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            "regression outputs [N, 1] against targets [N]: a silently wrong loss",
            mse_column_predictions,
            mse_column_predictions_fixed,
            "target-shape",
        ),
        _E(
            "linear-shapes",
            "shapes",
            RuntimeError,
            "mat1 and mat2 shapes cannot be multiplied (4x3 and 2x8)",
            "a layer's in_features differs from the number of input columns",
            wrong_in_features,
            wrong_in_features_fixed,
        ),
        _E(
            "softmax-dim",
            "shapes",
            UserWarning,
            "Implicit dimension choice for softmax has been deprecated. Change the "
            "call to include dim=X as an argument.",
            "softmax without naming the axis of the classes",
            softmax_without_dim,
            softmax_without_dim_fixed,
        ),
        _E(
            "item-many",
            "shapes",
            RuntimeError,
            "a Tensor with 4 elements cannot be converted to Scalar",
            ".item() on a tensor of several numbers (per-example losses)",
            item_of_per_example_losses,
            item_of_per_example_losses_fixed,
        ),
        _E(
            "inplace-leaf",
            "autograd",
            RuntimeError,
            "a leaf Variable that requires grad is being used in an in-place "
            "operation.",
            "a manual SGD update outside torch.no_grad()",
            update_weights_in_place,
            update_weights_in_place_fixed,
        ),
        _E(
            "backward-twice",
            "autograd",
            RuntimeError,
            "Trying to backward through the graph a second time (or directly access "
            "saved tensors after they have already been freed). Saved intermediate "
            "values of the graph are freed when you call .backward() or "
            "autograd.grad(). Specify retain_graph=True if you need to backward "
            "through the graph a second time or if you need to access saved tensors "
            "after calling backward.",
            "backward() twice on one graph (or reusing a loss across steps)",
            backward_twice,
            backward_twice_fixed,
        ),
        _E(
            "inplace-saved",
            "autograd",
            RuntimeError,
            "one of the variables needed for gradient computation has been modified by "
            "an inplace operation: [torch.FloatTensor [2, 3]], which is output 0 of "
            "Exp, is at version 1; expected version 0 instead. Hint: enable anomaly "
            "detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).",
            "an in-place edit of a tensor autograd saved for the backward pass",
            softmax_by_hand_in_place,
            softmax_by_hand_in_place_fixed,
        ),
        _E(
            "backward-non-scalar",
            "autograd",
            RuntimeError,
            "grad can be implicitly created only for scalar outputs",
            "backward() on per-example losses instead of their mean",
            backward_per_example_losses,
            backward_per_example_losses_fixed,
        ),
        _E(
            "no-grad-fn",
            "autograd",
            RuntimeError,
            "element 0 of tensors does not require grad and does not have a grad_fn",
            "backward() on a loss computed under torch.no_grad() (or from detached "
            "tensors)",
            backward_of_a_no_grad_loss,
            backward_of_a_no_grad_loss_fixed,
        ),
        _E(
            "numpy-requires-grad",
            "autograd",
            RuntimeError,
            "Can't call numpy() on Tensor that requires grad. Use "
            "tensor.detach().numpy() instead.",
            ".numpy() on a parameter or on anything computed from one",
            numpy_of_a_parameter,
            numpy_of_a_parameter_fixed,
        ),
        _E(
            "device-mismatch",
            "device",
            RuntimeError,
            "Tensor on device meta is not on the expected device cpu!",
            "the model was moved to a device, the batch was not",
            model_moved_batch_not,
            model_moved_batch_not_fixed,
        ),
    ]
    return {e.key: e for e in entries}


ERRORS: dict[str, KnownError] = _registry()
"""Every documented error, by key, in the order of the "Common errors" page."""
