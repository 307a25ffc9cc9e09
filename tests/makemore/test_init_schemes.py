"""The initialization schemes: each keeps (or loses) the spread the way its derivation
says."""

from __future__ import annotations

import math

import pytest
import torch

from zero_to_hero.makemore.init_schemes import NONLINEARITIES, SCHEMES, activation_stds


def test_a_linear_stack_keeps_lecuns_variance():
    stds = activation_stds(SCHEMES["LeCun: 1/√fan_in"], lambda x: x, depth=20)
    assert all(0.8 < s < 1.25 for s in stds)


def test_relu_halves_the_second_moment_unless_he_scales_by_sqrt2():
    lecun = activation_stds(SCHEMES["LeCun: 1/√fan_in"], torch.relu, depth=20)
    he = activation_stds(SCHEMES["He: √2/√fan_in"], torch.relu, depth=20)
    # each ReLU layer with Var(W) = 1/n halves E[x²]: the std shrinks by √2 per layer
    assert lecun[-1] / lecun[9] == pytest.approx(2 ** (-10 / 2), rel=0.5)
    assert 0.3 < he[-1] < 3


def test_the_tanh_gain_is_pytorchs_and_holds_the_spread():
    assert SCHEMES["tanh gain: (5/3)/√fan_in"](256, 256) == pytest.approx(
        torch.nn.init.calculate_gain("tanh") / math.sqrt(256)
    )
    stds = activation_stds(SCHEMES["tanh gain: (5/3)/√fan_in"], NONLINEARITIES["tanh"])
    assert min(stds[10:]) > 0.5


def test_the_measurement_is_seeded():
    f = SCHEMES["He: √2/√fan_in"]
    assert activation_stds(f, torch.relu, depth=5) == activation_stds(
        f, torch.relu, depth=5
    )
