"""The chapter's exercises: each solution does what its exercise asks."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.torch_basics.examples import (
    MULTICLASS_GOAL,
    fit_line,
    train_multiclass,
)
from zero_to_hero.torch_basics.exercises import (
    SMALL_MODEL_MAX_PARAMETERS,
    cross_entropy_by_hand,
    fit_line_with_momentum,
    small_spirals_model,
    train_in_two_sittings,
)


@given(st.integers(0, 10_000), st.floats(0.01, 2000))
def test_cross_entropy_by_hand_matches_torch_even_for_huge_logits(seed, scale):
    gen = torch.Generator().manual_seed(seed)
    logits = scale * torch.randn(6, 4, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 4, (6,), generator=gen)
    ours = cross_entropy_by_hand(logits, y)
    assert torch.isfinite(ours)
    assert ours.item() == pytest.approx(
        F.cross_entropy(logits, y).item(), rel=1e-10, abs=1e-10
    )
    soft = torch.softmax(torch.randn(6, 4, generator=gen, dtype=torch.float64), dim=1)
    assert cross_entropy_by_hand(logits, soft).item() == pytest.approx(
        F.cross_entropy(logits, soft).item(), rel=1e-10, abs=1e-10
    )


def test_the_naive_formula_overflows_where_the_solution_does_not():
    logits = torch.tensor([[1000.0, 1001.0]])
    naive = -torch.log(torch.exp(logits[0, 1]) / torch.exp(logits).sum())
    assert torch.isnan(naive)  # inf / inf
    assert cross_entropy_by_hand(logits, torch.tensor([1])).item() == pytest.approx(
        F.cross_entropy(logits, torch.tensor([1])).item()
    )


def test_forgetting_zero_grad_is_momentum_one_bit_for_bit():
    assert fit_line_with_momentum() == fit_line(zero_grad=False)


def test_resumed_training_matches_an_uninterrupted_run_bit_for_bit():
    resumed = train_in_two_sittings(3, 4)
    straight = train_multiclass(epochs=7, device=torch.device("cpu"))
    assert resumed.history == straight.history
    for a, b in zip(resumed.model.parameters(), straight.model.parameters()):
        assert torch.equal(a, b)


def test_a_small_model_reaches_the_goal():
    trained = small_spirals_model()
    n_params = sum(p.numel() for p in trained.model.parameters())
    assert n_params <= SMALL_MODEL_MAX_PARAMETERS
    assert trained.test_accuracy >= MULTICLASS_GOAL
