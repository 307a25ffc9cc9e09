"""Say, in plain words, what is wrong with a batch for a given loss, before torch
raises.

PyTorch's loss functions check their inputs deep inside C++ kernels, and the messages
they raise name the kernel's arguments (`mat1`, `target`, "Long or Byte") rather than
the mistake a learner made.
`checks.check_classification_batch`
looks at the model's outputs, the targets and the loss function *together*, and reports
every problem it finds as a [`Problem`][zero_to_hero.torch_basics.checks.Problem]: what
is wrong, in words, and what to change.

Each problem has a severity:

* `"error"`: torch will raise (or, for a broadcasting mismatch, warn) when the loss is
  computed;
* `"wrong"`: torch computes a number without complaint, but not the one you meant
  (logits squashed twice, labels -1/+1 given to a loss that wants 0/1, a single output
  column);
* `"advice"`: it works, but there is a better way (sigmoid followed by `BCELoss`).

The test suite checks the first promise on generated batches of every dtype and shape:
it reports an error exactly when torch raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

__all__ = [
    "Problem",
    "Diagnosis",
    "check_classification_batch",
    "check_regression_batch",
    "describe",
]

SEVERITIES = ("error", "wrong", "advice")
CLASSIFICATION_LOSSES = (
    nn.BCELoss,
    nn.BCEWithLogitsLoss,
    nn.CrossEntropyLoss,
    nn.NLLLoss,
)
REGRESSION_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a batch.

    Attributes:
        code: A short stable name for the kind of problem, e.g. `"target-dtype"`.
        severity: `"error"` (torch will raise), `"wrong"` (no error, wrong result) or
            `"advice"` (works, but there is a better way).
        message: What is wrong, in plain words.
        fix: What to change.
    """

    code: str
    severity: str
    message: str
    fix: str

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"severity must be one of {SEVERITIES}, got {self.severity!r}"
            )

    def __str__(self) -> str:
        return f"[{self.severity}: {self.code}] {self.message}\n    fix: {self.fix}"


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on one batch: what was checked and every problem found.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> logits = torch.zeros(4, 3)
        >>> labels = torch.tensor([0.0, 2.0, 1.0, 2.0])
        >>> diagnosis = check_classification_batch(
        ...     logits, labels, nn.CrossEntropyLoss()
        ... )
        >>> diagnosis.ok, diagnosis.codes
        (False, ['target-dtype'])
        >>> check_classification_batch(logits, labels.long(), nn.CrossEntropyLoss()).ok
        True
    """

    loss: str
    outputs: str
    targets: str
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when nothing would raise and nothing would be silently wrong."""
        return not any(p.severity in ("error", "wrong") for p in self.problems)

    @property
    def codes(self) -> list[str]:
        """The codes of the problems found, in the order they were found."""
        return [p.code for p in self.problems]

    @property
    def raises(self) -> bool:
        """True when computing the loss on this batch will raise (or warn)."""
        return any(p.severity == "error" for p in self.problems)

    def raise_if_problems(self) -> None:
        """Raise a `ValueError` listing every error and silent mistake found, if any."""
        if not self.ok:
            raise ValueError(str(self))

    def __str__(self) -> str:
        head = f"{self.loss} with outputs {self.outputs} and targets {self.targets}"
        if not self.problems:
            return f"{head}: looks right."
        lines = [f"{head}:"] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)


def describe(x: object) -> str:
    """A tensor's dtype, shape and device in a few words, e.g. "float32 [4, 3] on
    cpu"."""
    if not isinstance(x, torch.Tensor):
        return f"a {type(x).__name__} (not a tensor)"
    return f"{str(x.dtype).removeprefix('torch.')} {list(x.shape)} on {x.device}"


def _shape(shape: Sequence[int]) -> str:
    return str(list(shape))


def _grad_fn_name(t: torch.Tensor) -> str:
    return type(t.grad_fn).__name__ if t.grad_fn is not None else ""


def _whole_numbers(t: torch.Tensor) -> bool:
    return t.numel() > 0 and bool(torch.all(t == torch.round(t)))


def common_checks(
    outputs: object,
    targets: object,
    problems: list[Problem],
    float_outputs: bool = True,
) -> bool:
    """Checks every loss shares. Returns False when the rest cannot be checked."""
    for name, x in (("outputs", outputs), ("targets", targets)):
        if not isinstance(x, torch.Tensor):
            problems.append(
                Problem(
                    "not-a-tensor",
                    "error",
                    f"{name} is a {type(x).__name__}, not a tensor.",
                    f"turn it into one: torch.as_tensor({name}) (float32 for values, "
                    "int64 for class indices).",
                )
            )
    if problems:
        return False
    assert isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)
    if outputs.device != targets.device:
        problems.append(
            Problem(
                "device",
                "error",
                f"outputs are on {outputs.device} but targets are on {targets.device}.",
                "move the batch to the model's device: targets = "
                "targets.to(outputs.device) (better: keep one `device` variable and "
                "call .to(device) on every batch).",
            )
        )
        return False
    if float_outputs and not outputs.is_floating_point():
        problems.append(
            Problem(
                "outputs-dtype",
                "error",
                f"outputs are {str(outputs.dtype).removeprefix('torch.')}, but a loss "
                "needs floating-point scores to differentiate.",
                "make the model return floats: inputs and weights float32 (x.float()).",
            )
        )
        return False
    return True


def check_binary(
    outputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: nn.Module,
    problems: list[Problem],
) -> None:
    """Append to `problems` what is wrong for a binary loss (BCE, BCEWithLogits)."""
    logits = isinstance(loss_fn, nn.BCEWithLogitsLoss)
    name = type(loss_fn).__name__
    if outputs.shape != targets.shape:
        fix = "give targets the outputs' shape: targets.view_as(outputs)"
        if outputs.dim() == targets.dim() + 1 and outputs.shape[-1] == 1:
            fix = "drop the outputs' last axis of size 1: outputs.squeeze(-1)"
        if (
            outputs.dim() >= 1
            and outputs.shape[-1] == 2
            and targets.dim() == outputs.dim() - 1
        ):
            fix = (
                "two scores per example is the two-class CrossEntropyLoss set-up: "
                "either use nn.CrossEntropyLoss with int64 class indices, or give the "
                "model one output"
            )
        problems.append(
            Problem(
                "target-shape",
                "error",
                f"{name} compares outputs and targets element by element, so they need "
                f"the same shape; outputs are {_shape(outputs.shape)} and targets "
                f"{_shape(targets.shape)}.",
                fix + ".",
            )
        )
    if logits:
        # BCEWithLogitsLoss computes in the outputs' dtype and writes the result into a
        # tensor of the targets' dtype: an integer or bool target cannot hold it.
        if not targets.is_floating_point():
            problems.append(
                Problem(
                    "target-dtype",
                    "error",
                    f"targets are {str(targets.dtype).removeprefix('torch.')}; {name} "
                    "needs floating-point targets (a probability per example, usually "
                    "0.0 or 1.0).",
                    "targets = targets.float().",
                )
            )
    elif targets.dtype != outputs.dtype:
        problems.append(
            Problem(
                "target-dtype",
                "error",
                f"targets are {str(targets.dtype).removeprefix('torch.')} but outputs "
                f"are {str(outputs.dtype).removeprefix('torch.')}; {name} needs both "
                "of the same floating-point dtype.",
                "targets = targets.to(outputs.dtype).",
            )
        )

    if not logits:
        if outputs.numel() and not bool(torch.all((outputs >= 0) & (outputs <= 1))):
            problems.append(
                Problem(
                    "output-range",
                    "error",
                    "BCELoss needs probabilities between 0 and 1, but some outputs are "
                    f"outside [0, 1] (from {outputs.min().item():.3g} to "
                    f"{outputs.max().item():.3g}): these look like logits (raw "
                    "scores).",
                    "pass the raw scores to nn.BCEWithLogitsLoss instead (it applies "
                    "the sigmoid itself, stably).",
                )
            )
        elif _grad_fn_name(outputs) == "SigmoidBackward0":
            problems.append(
                Problem(
                    "sigmoid-then-bce",
                    "advice",
                    "outputs come straight from a sigmoid: for confident predictions "
                    "(|logit| above about 17 in float32) the sigmoid rounds to exactly "
                    "0 or 1, BCELoss caps the loss at 100 and the gradient vanishes.",
                    "drop the sigmoid and use nn.BCEWithLogitsLoss on the logits.",
                )
            )
    elif _grad_fn_name(outputs) == "SigmoidBackward0":
        problems.append(
            Problem(
                "sigmoid-twice",
                "wrong",
                "outputs come straight from a sigmoid, but BCEWithLogitsLoss applies "
                "the sigmoid itself: the probabilities get squashed a second time, "
                "into [0.5, 0.73].",
                "pass the logits (the values before the sigmoid).",
            )
        )

    if targets.is_floating_point() and targets.numel():
        inside = bool(torch.all((targets >= 0) & (targets <= 1)))
        if not inside:
            negatives = bool(torch.any(targets < 0))
            hint = (
                " Labels -1/+1 (as for a hinge loss) must become 0/1: targets = "
                "(targets + 1) / 2."
                if negatives
                else ""
            )
            problems.append(
                Problem(
                    "target-range",
                    "wrong" if logits else "error",
                    f"{name} targets are probabilities between 0 and 1, but some are "
                    f"outside [0, 1] (from {targets.min().item():.3g} to "
                    f"{targets.max().item():.3g})." + hint,
                    "use 0.0 for the negative class and 1.0 for the positive one.",
                )
            )


def check_categorical(
    outputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: nn.Module,
    problems: list[Problem],
) -> None:
    """Append to `problems` what is wrong for a categorical loss (CrossEntropy, NLL)."""
    name = type(loss_fn).__name__
    nll = isinstance(loss_fn, nn.NLLLoss)
    if outputs.dim() == 0:
        problems.append(
            Problem(
                "outputs-shape",
                "error",
                f"outputs are a single number; {name} needs one score per class: "
                "[N, C] for a batch of N examples and C classes.",
                "make the model's last layer output C numbers per example.",
            )
        )
        return
    class_dim = 1 if outputs.dim() >= 2 else 0
    n_classes = outputs.shape[class_dim]
    index_shape = outputs.shape[:class_dim] + outputs.shape[class_dim + 1 :]
    grad_fn = _grad_fn_name(outputs)

    # One score per example instead of one per class: the commonest
    # binary-classification mix-up.
    single_column = outputs.dim() == 2 and n_classes == 1
    if single_column:
        problems.append(
            Problem(
                "single-logit",
                "wrong",
                f"outputs {_shape(outputs.shape)} hold one score per example, but "
                f"{name} needs one score per class, [N, C]: with a single column every "
                "example is class 0.",
                "for two classes, either output 2 scores per example (nn.Linear(..., "
                f"2)) and keep {name}, or keep 1 output and use nn.BCEWithLogitsLoss "
                "with float targets.",
            )
        )
    elif (
        outputs.dim() == 1
        and targets.shape == outputs.shape
        and not targets.is_floating_point()
    ):
        problems.append(
            Problem(
                "single-logit",
                "error",
                f"outputs {_shape(outputs.shape)} hold one score per example, but "
                f"{name} needs one score per class, [N, C]; with targets of the same "
                "shape it reads the batch as ONE example whose class probabilities are "
                "the targets.",
                "for two classes, either output 2 scores per example (nn.Linear(..., "
                f"2)) and keep {name}, or keep 1 output and use nn.BCEWithLogitsLoss "
                "with float targets.",
            )
        )
        return

    if not nll and grad_fn in ("SoftmaxBackward0", "LogSoftmaxBackward0"):
        problems.append(
            Problem(
                "softmax-twice",
                "wrong",
                "outputs come straight from a "
                f"{'log_' if 'Log' in grad_fn else ''}softmax, but CrossEntropyLoss "
                "applies log_softmax itself.",
                "pass the raw scores (logits) to CrossEntropyLoss.",
            )
        )
    if nll and grad_fn == "SoftmaxBackward0":
        problems.append(
            Problem(
                "nll-needs-log",
                "wrong",
                "NLLLoss needs log-probabilities, but outputs come straight from a "
                "softmax (probabilities).",
                "use log_softmax(outputs, dim=1), or nn.CrossEntropyLoss on the raw "
                "scores.",
            )
        )
    elif nll and outputs.numel() and bool(torch.any(outputs > 0)):
        problems.append(
            Problem(
                "nll-needs-log",
                "wrong",
                "NLLLoss needs log-probabilities (all ≤ 0), but some outputs are "
                "positive: these look like raw scores.",
                "use nn.CrossEntropyLoss on the raw scores (it is log_softmax + "
                "NLLLoss).",
            )
        )

    if targets.shape == outputs.shape:
        _check_probability_targets(outputs, targets, name, nll, problems)
        return
    if outputs.dim() == 1 and targets.shape == (1,):
        # one unbatched example: torch also takes its label as [1]
        index_shape = targets.shape
    if targets.shape != index_shape:
        _report_index_shape(outputs, targets, index_shape, class_dim, name, problems)
        return
    # Class-index targets: int64, each in [0, C) or equal to ignore_index. torch also
    # takes uint8 for [N, C] outputs, but not for [N, C, d1, ...].
    allowed = (torch.int64, torch.uint8) if outputs.dim() <= 2 else (torch.int64,)
    if targets.dtype not in allowed:
        if targets.is_floating_point() and _whole_numbers(targets):
            what = "class numbers stored as floats"
        else:
            what = f"{str(targets.dtype).removeprefix('torch.')} values"
        problems.append(
            Problem(
                "target-dtype",
                "error",
                f"targets {_shape(targets.shape)} are read as class indices, which "
                f"must be int64 (torch.long), but they are {what}.",
                "targets = targets.long() (and make the data pipeline produce int64 "
                "labels).",
            )
        )
        return
    valid = targets != loss_fn.ignore_index
    used = targets[valid].long()
    if used.numel() and (used.min() < 0 or used.max() >= n_classes):
        low, high = used.min().item(), used.max().item()
        hint = ""
        if low >= 1 and high == n_classes:
            hint = " The labels look 1-based: subtract 1 so they run from 0 to C - 1."
        if single_column:
            hint = " With a single output column the only valid class is 0."
        problems.append(
            Problem(
                "target-range",
                "error",
                f"class indices must lie in [0, {n_classes - 1}] for {n_classes} "
                f"classes, but targets run from {low} to {high}.{hint}",
                "number the classes 0 … C - 1, and give the last layer C outputs.",
            )
        )


def _check_probability_targets(
    outputs: torch.Tensor,
    targets: torch.Tensor,
    name: str,
    nll: bool,
    problems: list[Problem],
) -> None:
    """Targets with the outputs' shape: CrossEntropyLoss reads them as class
    probabilities."""
    if nll:
        problems.append(
            Problem(
                "target-shape",
                "error",
                f"targets have the outputs' shape {_shape(outputs.shape)}, but NLLLoss "
                "only takes class indices, shape [N].",
                "targets = targets.argmax(dim=1) for one-hot rows, or use "
                "CrossEntropyLoss with probability targets on the raw scores.",
            )
        )
        return
    if not targets.is_floating_point():
        problems.append(
            Problem(
                "one-hot",
                "error",
                f"targets {_shape(targets.shape)} have the outputs' shape, so {name} "
                "reads them as class probabilities, which must be floats; these are "
                f"{str(targets.dtype).removeprefix('torch.')} (one-hot rows?).",
                "pass class indices, targets.argmax(dim=1), or probabilities, "
                "targets.float().",
            )
        )
        return
    if outputs.dim() == 1:
        problems.append(
            Problem(
                "single-logit",
                "wrong",
                f"outputs {_shape(outputs.shape)} and targets have the same 1-D shape, "
                f"so {name} reads them as ONE example with {outputs.shape[0]} classes.",
                "for N examples, outputs must be [N, C] and targets [N] (int64) or "
                "[N, C].",
            )
        )
    if targets.numel():
        class_dim = 1 if outputs.dim() >= 2 else 0
        sums = targets.sum(dim=class_dim)
        in_range = bool(torch.all((targets >= 0) & (targets <= 1)))
        if not in_range or not torch.allclose(sums, torch.ones_like(sums), atol=1e-3):
            problems.append(
                Problem(
                    "target-probabilities",
                    "wrong",
                    "targets with the outputs' shape are read as class probabilities, "
                    "but they are not (each row should be ≥ 0 and sum to 1; sums run "
                    f"from {sums.min().item():.3g} to {sums.max().item():.3g}).",
                    "pass class indices (int64, shape [N]), or normalise each row.",
                )
            )


def _report_index_shape(
    outputs: torch.Tensor,
    targets: torch.Tensor,
    index_shape: torch.Size,
    class_dim: int,
    name: str,
    problems: list[Problem],
) -> None:
    if (
        outputs.dim() >= 2
        and targets.dim() >= 1
        and targets.shape[0] != outputs.shape[0]
    ):
        problems.append(
            Problem(
                "batch-size",
                "error",
                f"outputs hold {outputs.shape[0]} examples but targets hold "
                f"{targets.shape[0]}.",
                "take the targets of the same minibatch as the inputs (y[idx] with the "
                "idx used for x), and check how the last, shorter batch is cut.",
            )
        )
        return
    if targets.shape == (*index_shape, 1):
        fix = "drop the targets' last axis of size 1: targets = targets.squeeze(-1)"
    elif outputs.dim() >= 3 and targets.shape == outputs.shape[:-1]:
        fix = (
            f"{name} wants the class axis second, [N, C, …]; these outputs have it "
            "last. Flatten both: outputs.view(-1, C) with targets.view(-1), or "
            "outputs.transpose(1, -1)"
        )
    else:
        fix = "reshape the targets to the outputs' shape without the class axis"
    problems.append(
        Problem(
            "target-shape",
            "error",
            f"with outputs {_shape(outputs.shape)} (classes along axis {class_dim}) "
            f"{name} expects class indices of shape {_shape(index_shape)} or "
            f"probabilities of shape {_shape(outputs.shape)}, but targets are "
            f"{_shape(targets.shape)}.",
            fix + ".",
        )
    )


def check_classification_batch(
    outputs: torch.Tensor, targets: torch.Tensor, loss_fn: nn.Module
) -> Diagnosis:
    """Check a batch of model outputs and targets against what `loss_fn` expects.

    Supported losses: `nn.BCELoss`, `nn.BCEWithLogitsLoss`, `nn.CrossEntropyLoss` and
    `nn.NLLLoss`. The checks cover types, devices, dtypes, shapes, value ranges (labels
    outside [0, C), probabilities outside [0, 1]) and logits versus probabilities (a
    sigmoid or softmax applied before a loss that applies its own). Nothing is computed
    on the batch besides these checks, so it is cheap enough to run on the first batch
    of every training run.

    Args:
        outputs: What the model returned for the batch.
        targets: The labels for the batch.
        loss_fn: The loss module you are about to call as `loss_fn(outputs, targets)`.

    Returns:
        A [`Diagnosis`][zero_to_hero.torch_basics.checks.Diagnosis]; print it for the
        verdict in words, or call `raise_if_problems()`.

    Raises:
        TypeError: `loss_fn` is not one of the supported loss modules.
    """
    if not isinstance(loss_fn, CLASSIFICATION_LOSSES):
        supported = ", ".join(f"nn.{c.__name__}" for c in CLASSIFICATION_LOSSES)
        raise TypeError(
            f"loss_fn must be an instance of one of {supported} "
            f"(note the parentheses: nn.CrossEntropyLoss()), got {loss_fn!r}"
        )
    problems: list[Problem] = []
    if common_checks(outputs, targets, problems):
        if isinstance(loss_fn, (nn.BCELoss, nn.BCEWithLogitsLoss)):
            check_binary(outputs, targets, loss_fn, problems)
        else:
            check_categorical(outputs, targets, loss_fn, problems)
    return Diagnosis(
        type(loss_fn).__name__, describe(outputs), describe(targets), tuple(problems)
    )


def check_regression_batch(
    outputs: torch.Tensor, targets: torch.Tensor, loss_fn: nn.Module
) -> Diagnosis:
    """Check a batch for an element-wise regression loss (`MSELoss`, `L1Loss`, …).

    The trap here is silent: outputs `[N, 1]` against targets `[N]` broadcast to an `[N,
    N]` grid of differences, and the loss averages the wrong thing (torch only warns).

    Args:
        outputs: What the model returned for the batch.
        targets: The values to regress on.
        loss_fn: `nn.MSELoss()`, `nn.L1Loss()`, `nn.SmoothL1Loss()` or `nn.HuberLoss()`.

    Returns:
        A [`Diagnosis`][zero_to_hero.torch_basics.checks.Diagnosis].
    """
    if not isinstance(loss_fn, REGRESSION_LOSSES):
        supported = ", ".join(f"nn.{c.__name__}" for c in REGRESSION_LOSSES)
        raise TypeError(
            f"loss_fn must be an instance of one of {supported}, got {loss_fn!r}"
        )
    problems: list[Problem] = []
    if (
        common_checks(outputs, targets, problems, float_outputs=False)
        and outputs.shape != targets.shape
    ):
        fix = "give targets the outputs' shape: targets.view_as(outputs)"
        if outputs.dim() == targets.dim() + 1 and outputs.shape[-1] == 1:
            fix = "drop the outputs' last axis of size 1: outputs.squeeze(-1)"
        problems.append(
            Problem(
                "target-shape",
                "error",
                f"outputs {_shape(outputs.shape)} and targets {_shape(targets.shape)} "
                "differ in shape: torch broadcasts them against each other (and "
                "warns), so the loss averages over every pair of an output and a "
                "target, not over matching pairs.",
                fix + ".",
            )
        )
    return Diagnosis(
        type(loss_fn).__name__, describe(outputs), describe(targets), tuple(problems)
    )
