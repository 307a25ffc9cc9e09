"""The diagnostics tell a healthy initialization from a sick one."""

from __future__ import annotations

import pytest
import torch

from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig, calibrate_batchnorm
from zero_to_hero.makemore.diagnostics import (
    activation_stats,
    forward_backward,
    gradient_stats,
    saturation,
    weight_stats,
)
from zero_to_hero.makemore.layers import BatchNorm1d
from zero_to_hero.makemore.recipes import LECTURE_SEED, build, recipe


@pytest.fixture(scope="module")
def batch(names_splits):
    train = names_splits(3).train
    ix = torch.randint(
        0, len(train), (32,), generator=torch.Generator().manual_seed(LECTURE_SEED)
    )
    return train.X[ix], train.Y[ix]


def deep_at_init(batch, **config):
    model = DeepMLP(
        DeepMLPConfig(**config), generator=torch.Generator().manual_seed(LECTURE_SEED)
    )
    forward_backward(model, *batch)
    return model


def test_without_batchnorm_the_gain_decides_the_health_of_every_layer(batch):
    good = activation_stats(deep_at_init(batch, batchnorm=False, gain=5 / 3))
    assert len(good) == 5 and all(0.6 < s.std < 0.8 for s in good)
    assert good[0].saturated < 0.25 and all(s.saturated < 0.1 for s in good[1:])
    small = activation_stats(deep_at_init(batch, batchnorm=False, gain=0.5))
    stds = [s.std for s in small]
    assert stds == sorted(stds, reverse=True) and stds[-1] < 0.05  # shrinks towards 0
    big = activation_stats(deep_at_init(batch, batchnorm=False, gain=3.0))
    assert all(s.saturated > 0.4 for s in big)  # most units on tanh's flat tails


def test_gradients_keep_their_spread_through_the_layers_only_with_the_right_gain(batch):
    good = [
        s.std for s in gradient_stats(deep_at_init(batch, batchnorm=False, gain=5 / 3))
    ]
    assert max(good) / min(good) < 1.5
    small = [
        s.std for s in gradient_stats(deep_at_init(batch, batchnorm=False, gain=0.5))
    ]
    # vanish towards the input
    assert small == sorted(small) and small[-1] / small[0] > 10


def test_batchnorm_makes_the_activations_independent_of_the_weight_scale(batch):
    stats = [activation_stats(deep_at_init(batch, gain=g)) for g in (0.5, 5 / 3, 3.0)]
    for layer in zip(*stats):
        assert max(s.std for s in layer) - min(s.std for s in layer) < 1e-3
        assert all(0.6 < s.std < 0.7 and s.saturated < 0.05 for s in layer)


def test_the_init_fixes_remove_saturation_in_the_mlp(batch):
    def saturated(name):
        model, _ = build(recipe(name))
        model(batch[0])
        return saturation(model.h)

    assert saturated("mlp") > 0.5
    assert saturated("mlp-tanh-fix") < 0.1 and saturated("mlp-kaiming") < 0.25
    assert saturated("bn-mlp") < 0.05


def test_weight_stats_report_every_matrix(batch):
    model = deep_at_init(batch)
    stats = weight_stats(model)
    assert [s.name for s in stats] == [
        "0.weight",
        "2.weight",
        "5.weight",
        "8.weight",
        "11.weight",
        "14.weight",
        "17.weight",
    ]
    assert stats[1].shape == (30, 100)
    w = model.layers[2].weight
    assert stats[1].grad_to_data == pytest.approx((w.grad.std() / w.std()).item())


def test_calibration_measures_the_exact_batch_statistics(names_splits):
    X = names_splits(3).train.X[:5000]
    model = deep_at_init((X[:32], names_splits(3).train.Y[:32]))
    calibrate_batchnorm(model, X)
    bn = model.layers[3]
    assert isinstance(bn, BatchNorm1d)
    with torch.no_grad():
        pre = model.layers[2](model.layers[1](model.layers[0](X)))
    torch.testing.assert_close(bn.running_mean, pre.mean(0))
    torch.testing.assert_close(bn.running_var, pre.var(0))
    assert model.training


def test_asking_for_gradients_before_a_backward_pass_is_a_clear_error(batch):
    model = DeepMLP(DeepMLPConfig())
    model(batch[0])
    with pytest.raises(ValueError, match="run forward_backward first"):
        gradient_stats(model)
    with pytest.raises(ValueError, match="has no gradient: run a backward pass first"):
        weight_stats(model)
