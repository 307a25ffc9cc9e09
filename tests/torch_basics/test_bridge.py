"""micrograd and PyTorch compute the same numbers: one expression, and a whole MLP."""

from __future__ import annotations

import random

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.micrograd import MLP, Value
from zero_to_hero.torch_basics.bridge import expression, micrograd_grads, mlp_to_torch


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_the_expression_has_the_same_value_and_gradients_in_both_engines(x, y):
    a, b = Value(x), Value(y)
    out = expression(a, b)
    out.backward()
    ta = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    t_out = expression(ta, tb)
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-12, abs=1e-12)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-9, abs=1e-12)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-9, abs=1e-12)


def test_an_mlp_copied_to_torch_gives_the_same_outputs_and_gradients():
    model = MLP(3, [8, 8, 2], rng=random.Random(0))
    X = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.3, 0.8, 0.1]]
    loss = sum(o * o for x in X for o in model(x))
    loss.backward()
    torch_model = mlp_to_torch(model)
    t_loss = (torch_model(torch.tensor(X, dtype=torch.float64)) ** 2).sum()
    t_loss.backward()
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-13)
    params = list(torch_model.parameters())
    assert [p.shape for p in params] == [g.shape for g in micrograd_grads(model)]
    for ours, theirs in zip(micrograd_grads(model), params):
        torch.testing.assert_close(ours, theirs.grad, rtol=1e-12, atol=1e-14)


def test_float32_copies_round_the_weights():
    model = MLP(2, [3], rng=random.Random(1))
    w64 = mlp_to_torch(model)[0].weight
    w32 = mlp_to_torch(model, dtype=torch.float32)[0].weight
    assert w64.dtype == torch.float64 and w32.dtype == torch.float32
    assert w64[0, 0].item() == model.layers[0].neurons[0].w[0].data  # exact in float64
    assert not torch.equal(w64, w32.double())  # float32 keeps about 7 digits
