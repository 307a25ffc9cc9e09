"""Every solution of the micrograd exercises, run and checked."""

from __future__ import annotations

import math
import random

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.micrograd import MLP, SGD, Value
from zero_to_hero.micrograd.demo import make_moons, max_margin_loss, train_moons
from zero_to_hero.micrograd.exercises import (
    MomentumSGD,
    first_perfect_step,
    gradient_check,
    sin,
    softplus,
)


@given(st.floats(-10, 10))
def test_sin_matches_torch(x):
    v = Value(x)
    out = sin(v * v)
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.sin(t * t).backward()
    assert out.data == pytest.approx(math.sin(x * x))
    assert v.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-12)


@given(st.floats(-10, 800))
def test_softplus_matches_torch_and_its_derivative_is_the_sigmoid(x):
    v = Value(x)
    out = softplus(v)
    out.backward()
    expected = torch.nn.functional.softplus(torch.tensor(x, dtype=torch.float64))
    # Below about -10, log(1 + e**x) loses digits when rounding 1 + e**x (torch uses
    # log1p).
    assert out.data == pytest.approx(expected.item(), rel=1e-9)
    assert v.grad == pytest.approx(Value(x).sigmoid().data, rel=1e-9, abs=1e-300)


def test_gradient_check_passes_a_correct_engine_and_catches_a_wrong_derivative():
    def good(v):
        a, b, c = v
        return (a * b + c.tanh()) ** 2 / (1 + a.exp())

    def broken(v):
        (a,) = v
        return Value.from_op(math.sin(a.data), [a], [math.sin(a.data)], "bad sin")

    assert gradient_check(good, [0.3, -1.2, 0.8]) < 1e-7
    assert gradient_check(broken, [0.3]) > 0.1


def test_momentum_zero_is_plain_sgd():
    X, y = make_moons(20, 0.1, seed=2)
    models = [MLP(2, [4, 1], rng=random.Random(2)) for _ in range(2)]
    opts = [
        SGD(models[0].parameters(), 0.1),
        MomentumSGD(models[1].parameters(), 0.1, 0.0),
    ]
    for _ in range(5):
        for model, opt in zip(models, opts):
            loss, _ = max_margin_loss(model, X, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert [p.data for p in models[0].parameters()] == [
        p.data for p in models[1].parameters()
    ]


def test_momentum_reaches_perfect_accuracy_before_the_demo():
    _, history = train_moons()
    demo_first = next(r.step for r in history if r.accuracy == 1.0)
    ours = first_perfect_step(lambda params: MomentumSGD(params, lr=0.5, momentum=0.5))
    assert 0 <= ours < demo_first
