"""The batch checker: it reports an error exactly when torch raises, over generated
batches of every dtype and shape, and it names the silent mistakes torch lets
through."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from zero_to_hero.torch_basics.checks import (
    Problem,
    check_classification_batch,
    check_regression_batch,
    describe,
)

N, C = 4, 3
OUTPUT_SHAPES = [(N,), (N, 1), (N, C), (N, 2), (C,), (N, 5, C), (N, C, 5), ()]
TARGET_SHAPES = [
    (N,),
    (N, 1),
    (N, C),
    (3,),
    (N, 5),
    (N, C, 5),
    (),
    (N, 2),
    (C,),
    (1,),
    (6,),
]
OUTPUT_DTYPES = [torch.float32, torch.float64, torch.float16, torch.int64]
TARGET_DTYPES = [
    torch.float32,
    torch.float64,
    torch.int64,
    torch.int32,
    torch.uint8,
    torch.bool,
]
LOSSES = [nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.CrossEntropyLoss(), nn.NLLLoss()]


def torch_raises(loss_fn, outputs, targets) -> str | None:
    """What computing the loss raises (warnings count), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss_fn(outputs, targets)
    except Exception as err:  # any exception is what we compare against
        return f"{type(err).__name__}: {err}"
    return None


@st.composite
def batches(draw):
    seed = draw(st.integers(0, 2**16))
    gen = torch.Generator().manual_seed(seed)
    out_shape = draw(st.sampled_from(OUTPUT_SHAPES))
    out_kind = draw(st.sampled_from(["logits", "probabilities", "log-probabilities"]))
    outputs = {
        "logits": lambda: 3 * torch.randn(out_shape, generator=gen),
        "probabilities": lambda: torch.rand(out_shape, generator=gen),
        "log-probabilities": lambda: -3 * torch.rand(out_shape, generator=gen),
    }[out_kind]().to(draw(st.sampled_from(OUTPUT_DTYPES)))
    tgt_shape = draw(st.sampled_from(TARGET_SHAPES))
    tgt_dtype = draw(st.sampled_from(TARGET_DTYPES))
    tgt_kind = draw(
        st.sampled_from(["labels 0/1", "labels 0..5", "labels -1/+1", "uniform"])
    )
    raw = {
        "labels 0/1": lambda: torch.randint(0, 2, tgt_shape, generator=gen).float(),
        "labels 0..5": lambda: torch.randint(0, 6, tgt_shape, generator=gen).float(),
        "labels -1/+1": lambda: (
            torch.randint(0, 2, tgt_shape, generator=gen).float() * 2 - 1
        ),
        "uniform": lambda: torch.rand(tgt_shape, generator=gen),
    }[tgt_kind]()
    if tgt_dtype == torch.bool:
        targets = raw > 0.5
    elif tgt_dtype == torch.uint8:
        targets = raw.clamp(min=0).to(tgt_dtype)
    else:
        targets = raw.to(tgt_dtype)
    return outputs, targets, draw(st.sampled_from(LOSSES))


@settings(max_examples=1500)
@given(batches())
def test_the_checker_reports_an_error_exactly_when_torch_raises(batch):
    outputs, targets, loss_fn = batch
    diagnosis = check_classification_batch(outputs, targets, loss_fn)
    raised = torch_raises(loss_fn, outputs, targets)
    assert diagnosis.raises == (raised is not None), (
        f"torch: {raised}\nchecker: {diagnosis}"
    )


# The silent mistakes: torch computes a number, the checker says why it is the wrong
# one.
def logits_with_grad(*shape):
    return torch.randn(
        *shape, generator=torch.Generator().manual_seed(0), requires_grad=True
    )


# all class 0: no error, loss exactly 0
SILENT = {
    "sigmoid-twice": (
        lambda: torch.sigmoid(logits_with_grad(N)),
        lambda: torch.tensor([0.0, 1.0, 1.0, 0.0]),
        nn.BCEWithLogitsLoss(),
    ),
    "softmax-twice": (
        lambda: torch.softmax(logits_with_grad(N, C), dim=1),
        lambda: torch.tensor([0, 2, 1, 2]),
        nn.CrossEntropyLoss(),
    ),
    "single-logit": (
        lambda: logits_with_grad(N, 1),
        lambda: torch.zeros(N, dtype=torch.long),
        nn.CrossEntropyLoss(),
    ),
    "target-range": (
        lambda: logits_with_grad(N),
        lambda: torch.tensor([-1.0, 1.0, 1.0, -1.0]),
        nn.BCEWithLogitsLoss(),
    ),
    "target-probabilities": (
        lambda: logits_with_grad(N, C),
        lambda: torch.ones(N, C),  # rows sum to 3
        nn.CrossEntropyLoss(),
    ),
    "nll-needs-log": (
        lambda: logits_with_grad(N, C),  # raw scores, some positive
        lambda: torch.tensor([0, 2, 1, 2]),
        nn.NLLLoss(),
    ),
}


@pytest.mark.parametrize("code", SILENT)
def test_silent_mistakes_are_reported_as_wrong_and_torch_does_not_raise(code):
    make_outputs, make_targets, loss_fn = SILENT[code]
    outputs, targets = make_outputs(), make_targets()
    diagnosis = check_classification_batch(outputs, targets, loss_fn)
    problem = next(p for p in diagnosis.problems if p.code == code)
    assert problem.severity == "wrong"
    assert not diagnosis.ok and not diagnosis.raises
    assert torch_raises(loss_fn, outputs, targets) is None
    with pytest.raises(ValueError, match=f"wrong: {code}"):
        diagnosis.raise_if_problems()


def test_single_column_scores_give_every_example_class_0():
    outputs, targets = logits_with_grad(N, 1), torch.zeros(N, dtype=torch.long)
    # why "single-logit" is "wrong"
    assert F.cross_entropy(outputs, targets).item() == 0.0


def test_plus_minus_one_labels_get_a_hint():
    diagnosis = check_classification_batch(
        torch.zeros(2), torch.tensor([-1.0, 1.0]), nn.BCEWithLogitsLoss()
    )
    assert "(targets + 1) / 2" in str(diagnosis)


def test_one_based_labels_get_a_hint():
    diagnosis = check_classification_batch(
        torch.zeros(3, 3), torch.tensor([1, 2, 3]), nn.CrossEntropyLoss()
    )
    assert diagnosis.codes == ["target-range"] and "1-based" in str(diagnosis)


def test_the_advice_names_where_float32_sigmoid_rounds_to_one():
    assert "above about 17" in str(
        check_classification_batch(
            torch.sigmoid(logits_with_grad(2)), torch.zeros(2), nn.BCELoss()
        )
    )
    assert torch.sigmoid(torch.tensor(16.0)).item() < 1.0
    assert torch.sigmoid(torch.tensor(17.0)).item() == 1.0


def test_sigmoid_then_bce_is_advice_only():
    probabilities = torch.sigmoid(logits_with_grad(N))
    diagnosis = check_classification_batch(
        probabilities, torch.tensor([0.0, 1.0, 1.0, 0.0]), nn.BCELoss()
    )
    assert diagnosis.codes == ["sigmoid-then-bce"]
    assert diagnosis.ok  # advice does not make a batch wrong
    diagnosis.raise_if_problems()


def test_correct_batches_look_right():
    # ignored
    for outputs, targets, loss_fn in [
        (torch.randn(N, C), torch.tensor([0, 2, 1, 2]), nn.CrossEntropyLoss()),
        (
            torch.randn(N, C),
            torch.softmax(torch.randn(N, C), dim=1),
            nn.CrossEntropyLoss(),
        ),
        (
            torch.randn(N, C, 5),
            torch.zeros(N, 5, dtype=torch.long),
            nn.CrossEntropyLoss(),
        ),
        (
            torch.log_softmax(torch.randn(N, C), dim=1),
            torch.tensor([0, 1, 2, 0]),
            nn.NLLLoss(),
        ),
        (torch.randn(N), torch.tensor([0.0, 1.0, 1.0, 0.0]), nn.BCEWithLogitsLoss()),
        (torch.rand(N, 1), torch.ones(N, 1), nn.BCELoss()),
        (
            torch.randn(N, C),
            torch.tensor([0, -100, 1, 2]),
            nn.CrossEntropyLoss(),
        ),
    ]:
        diagnosis = check_classification_batch(outputs, targets, loss_fn)
        assert diagnosis.ok and not diagnosis.problems, str(diagnosis)
        assert str(diagnosis).endswith("looks right.")


def test_class_axis_last_gets_the_flattening_fix():
    diagnosis = check_classification_batch(
        torch.randn(2, 5, 3), torch.zeros(2, 5, dtype=torch.long), nn.CrossEntropyLoss()
    )
    assert diagnosis.codes == ["target-shape"] and "view(-1, C)" in str(diagnosis)


def test_not_a_tensor_and_devices():
    diagnosis = check_classification_batch([0.5, 0.2], torch.ones(2), nn.BCELoss())
    assert diagnosis.codes == ["not-a-tensor"] and "list" in str(diagnosis)
    on_meta = check_classification_batch(
        torch.zeros(2, device="meta"), torch.ones(2), nn.BCEWithLogitsLoss()
    )
    assert on_meta.codes == ["device"] and on_meta.raises


def test_unsupported_losses_are_a_type_error_that_says_what_is_supported():
    with pytest.raises(TypeError, match=r"nn\.CrossEntropyLoss.*parentheses"):
        check_classification_batch(
            torch.zeros(2, 3), torch.zeros(2), nn.CrossEntropyLoss
        )
    with pytest.raises(TypeError, match="MSELoss"):
        check_regression_batch(torch.zeros(2), torch.zeros(2), nn.BCELoss())


def test_problem_severity_is_checked():
    with pytest.raises(ValueError, match="severity"):
        Problem("x", "fatal", "m", "f")


def test_describe():
    assert describe(torch.zeros(4, 3)) == "float32 [4, 3] on cpu"
    assert describe(3.0) == "a float (not a tensor)"


@pytest.mark.parametrize(
    "out_shape,tgt_shape",
    [((N, 1), (N,)), ((N,), (N, 1)), ((N,), (N,)), ((N, 1), (N, 1)), ((N, 2), (3,))],
)
def test_regression_shapes_match_torch_warning_or_error(out_shape, tgt_shape):
    outputs, targets = torch.zeros(out_shape), torch.ones(tgt_shape)
    diagnosis = check_regression_batch(outputs, targets, nn.MSELoss())
    assert diagnosis.raises == (
        torch_raises(nn.MSELoss(), outputs, targets) is not None
    )
    assert diagnosis.raises == (out_shape != tgt_shape)


def test_column_outputs_against_vector_targets_average_the_wrong_pairs():
    """Why the broadcasting warning matters: [4, 1] - [4] is a [4, 4] grid of
    differences."""
    predictions, targets = (
        torch.tensor([[1.0], [2.0], [3.0], [4.0]]),
        torch.tensor([1.0, 2, 3, 4]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        broadcast = F.mse_loss(predictions, targets)
    assert F.mse_loss(predictions.squeeze(1), targets).item() == 0.0
    # mean of (i - j)^2 over the 4 × 4 grid
    assert broadcast.item() == pytest.approx(2.5)
