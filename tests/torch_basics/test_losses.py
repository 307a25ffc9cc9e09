"""Binary cross-entropy: the two-class equivalence, the saturation of sigmoid + BCELoss,
the formulas written by hand, and CrossEntropyLoss with class probabilities."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.torch_basics.losses import (
    bce_by_hand,
    bce_with_logits_by_hand,
    binary_logit,
    two_class_scores,
)

logits = st.lists(st.floats(-30, 30), min_size=1, max_size=16)


def labels_for(zs, seed):
    return torch.randint(
        0, 2, (len(zs),), generator=torch.Generator().manual_seed(seed)
    )


@given(logits, st.integers(0, 1000))
def test_one_logit_with_bce_equals_two_scores_with_cross_entropy(zs, seed):
    z = torch.tensor(zs, dtype=torch.float64)
    y = labels_for(zs, seed)
    bce = F.binary_cross_entropy_with_logits(z, y.double())
    ce = F.cross_entropy(two_class_scores(z), y)
    assert ce.item() == pytest.approx(bce.item(), rel=1e-12, abs=1e-12)
    probabilities = torch.softmax(two_class_scores(z), dim=1)
    torch.testing.assert_close(
        probabilities[:, 1], torch.sigmoid(z), rtol=1e-12, atol=1e-15
    )


@given(st.lists(st.tuples(st.floats(-20, 20), st.floats(-20, 20)),
                min_size=1, max_size=16),
       st.integers(0, 1000))  # fmt: skip
def test_any_two_scores_equal_one_logit_their_difference(pairs, seed):
    scores = torch.tensor(pairs, dtype=torch.float64)
    y = labels_for(pairs, seed)
    ce = F.cross_entropy(scores, y)
    bce = F.binary_cross_entropy_with_logits(binary_logit(scores), y.double())
    assert ce.item() == pytest.approx(bce.item(), rel=1e-12, abs=1e-12)
    torch.testing.assert_close(
        binary_logit(two_class_scores(scores[:, 0])), scores[:, 0]
    )


def test_gradients_agree_too():
    z = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 1, 1])
    (g_bce,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(z, y.double()), z)
    (g_ce,) = torch.autograd.grad(F.cross_entropy(two_class_scores(z), y), z)
    torch.testing.assert_close(g_bce, g_ce, rtol=1e-12, atol=1e-15)


def test_binary_logit_wants_two_scores():
    with pytest.raises(ValueError, match=r"two scores.*\[4, 3\]"):
        binary_logit(torch.zeros(4, 3))


def test_sigmoid_then_bce_saturates_where_bce_with_logits_does_not():
    """Logits ±50 in float32: the exact loss is 50 and the gradient ±1."""
    z = torch.tensor([50.0, -50.0], requires_grad=True)
    y = torch.tensor([0.0, 1.0])  # both confidently wrong
    stable = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    (g_stable,) = torch.autograd.grad(stable.sum(), z)
    torch.testing.assert_close(stable.detach(), torch.tensor([50.0, 50.0]))
    torch.testing.assert_close(g_stable, torch.tensor([1.0, -1.0]))

    naive = F.binary_cross_entropy(torch.sigmoid(z), y, reduction="none")
    (g_naive,) = torch.autograd.grad(naive.sum(), z)
    # rounds to exactly 1 in float32
    assert torch.sigmoid(torch.tensor(50.0)).item() == 1.0
    # log(1 - 1) = -inf, clamped at -100: the wrong loss
    assert naive[0].item() == 100.0
    assert g_naive[0].item() == 0.0  # and no gradient to learn from
    # At -50, sigmoid is 2e-22: the loss is still right, but BCELoss's backward divides
    # by max(p(1 - p), 1e-12), so the gradient is about 2e-10 instead of -1.
    assert naive[1].item() == pytest.approx(50.0)
    assert abs(g_naive[1].item()) < 1e-9
    far = F.binary_cross_entropy(
        torch.sigmoid(torch.tensor([-120.0])), torch.tensor([1.0])
    )
    # at -120 sigmoid underflows to 0: the loss is capped too
    assert far.item() == 100.0


@given(st.lists(st.floats(-1000, 1000), min_size=1, max_size=16), st.integers(0, 1000))
def test_bce_with_logits_by_hand_matches_torch_for_any_logit(zs, seed):
    z = torch.tensor(zs, dtype=torch.float64)
    y = labels_for(zs, seed).double()
    ours = bce_with_logits_by_hand(z, y)
    assert torch.isfinite(ours)
    assert ours.item() == pytest.approx(
        F.binary_cross_entropy_with_logits(z, y).item(), rel=1e-12, abs=1e-12
    )


@given(st.lists(st.floats(0, 1), min_size=1, max_size=16), st.integers(0, 1000))
def test_bce_by_hand_matches_bceloss_including_the_clamp(ps, seed):
    p = torch.tensor(ps, dtype=torch.float64)
    y = labels_for(ps, seed).double()
    assert bce_by_hand(p, y).item() == pytest.approx(
        F.binary_cross_entropy(p, y).item(), rel=1e-12, abs=1e-12
    )


def test_class_probability_targets_equal_class_indices_when_one_hot():
    logits = torch.randn(
        5, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64
    )
    y = torch.tensor([0, 3, 1, 1, 2])
    one_hot = F.one_hot(y, 4).double()
    assert F.cross_entropy(logits, one_hot).item() == pytest.approx(
        F.cross_entropy(logits, y).item(), rel=1e-14
    )
    soft = torch.softmax(torch.randn(5, 4, dtype=torch.float64), dim=1)
    by_formula = -(soft * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
    assert F.cross_entropy(logits, soft).item() == pytest.approx(
        by_formula.item(), rel=1e-14
    )


def test_cross_entropy_is_log_softmax_then_nll():
    logits = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    torch.testing.assert_close(
        F.cross_entropy(logits, y), F.nll_loss(F.log_softmax(logits, dim=1), y)
    )
