"""The WaveNet-style model: FlattenConsecutive, BatchNorm over batch and time, any
depth, the lecture's deterministic run, the dilated-convolution view, and clear
errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.makemore.deep import calibrate_batchnorm
from zero_to_hero.makemore.recipes import WAVENET_STAGES, build, run_recipe
from zero_to_hero.makemore.sampling import sample_names
from zero_to_hero.makemore.train import evaluate, train
from zero_to_hero.makemore.wavenet import (
    BatchNorm,
    Dropout,
    FlattenConsecutive,
    PositionBatchNorm,
    WaveNet,
    WaveNetConfig,
    logits_at_every_position,
)
from zero_to_hero.reference import CPU_RTOL, anchor
from zero_to_hero.vocab import CharVocab


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 5), st.integers(1, 4))
def test_flatten_consecutive_is_a_concatenation_of_neighbours(
    batch, groups, channels, n
):
    x = torch.randn(batch, groups * n, channels)
    out = FlattenConsecutive(n)(x)
    assert out.shape == (batch, groups, channels * n)
    for i in range(groups):
        expected = torch.cat([x[:, i * n + j] for j in range(n)], dim=1)  # oldest first
        assert torch.equal(out[:, i], expected)


def test_flatten_consecutive_accepts_a_non_contiguous_input():
    """`view` refuses a transposed tensor; the layer must not (pitfall: view vs
    reshape)."""
    x = torch.randn(3, 5, 8).transpose(1, 2)  # (3, 8, 5), not contiguous
    assert not x.is_contiguous()
    out = FlattenConsecutive(2)(x)
    assert torch.equal(out, FlattenConsecutive(2)(x.contiguous()))
    with pytest.raises(RuntimeError, match="view"):
        x.view(3, 4, 10)


def test_flatten_consecutive_errors_say_what_was_expected():
    with pytest.raises(
        ValueError, match=r"expects \(batch, time, channels\), got shape \(32, 80\)"
    ):
        FlattenConsecutive(2)(torch.zeros(32, 80))
    with pytest.raises(ValueError, match="cannot join 8 positions in groups of 3"):
        FlattenConsecutive(3)(torch.zeros(4, 8, 2))
    with pytest.raises(ValueError, match="n must be a positive int, got 0"):
        FlattenConsecutive(0)


def test_batchnorm_over_batch_and_time_is_torch_batchnorm_on_the_flattened_positions():
    """Statistics over dims (0, 1): the same as treating every position as an
    example."""
    g = torch.Generator().manual_seed(0)
    ours = BatchNorm(6, momentum=0.3)
    ref = torch.nn.BatchNorm1d(6, momentum=0.3)
    for _ in range(3):
        x = torch.randn(4, 5, 6, generator=g) * 2 + 1
        torch.testing.assert_close(ours(x), ref(x.reshape(20, 6)).reshape(4, 5, 6))
        torch.testing.assert_close(ours.running_mean, ref.running_mean)
        torch.testing.assert_close(ours.running_var, ref.running_var)
    ours.eval()
    ref.eval()
    x = torch.randn(2, 5, 6, generator=g)
    torch.testing.assert_close(ours(x), ref(x.reshape(10, 6)).reshape(2, 5, 6))
    torch.testing.assert_close(ours(x[:, 0]), ref(x[:, 0]))  # 2-D input too


def test_the_buggy_batchnorm_keeps_separate_statistics_per_position():
    g = torch.Generator().manual_seed(1)
    bug = PositionBatchNorm(3, positions=4, momentum=1.0)
    x = torch.randn(8, 4, 3, generator=g)
    out = bug(x)
    for t in range(4):  # each position on its own, like a BatchNorm of its own
        torch.testing.assert_close(out[:, t], BatchNorm(3)(x[:, t]))
    assert bug.running_mean.shape == (4, 3)
    torch.testing.assert_close(bug.running_mean, x.mean(0))
    # the fixed layer normalizes differently
    assert not torch.allclose(out, BatchNorm(3)(x))


def test_parameter_counts_are_the_lectures():
    counts = {name: build(r)[0].num_parameters() for name, r in WAVENET_STAGES.items()}
    assert counts == {
        "flat-ctx3": 12097,
        "flat-ctx8": 22097,
        "tree-bn-bug": 22397,
        "tree": 22397,
        "wavenet": anchor("makemore.wavenet.params").value,
    }


def test_a_short_run_of_the_lecture_recipe_is_deterministic(names_splits):
    """Seed 42 for weights and batches: the lecture's first minibatch loss (printed with
    4 decimals) and 1,000 steps pinned to 6 digits (CPU_RTOL: the last bits depend on
    the CPU)."""
    run = run_recipe("wavenet", names_splits(8), steps=1000, splits_to_eval=("val",))
    assert (
        round(run.history.losses[0], 4) == anchor("makemore.wavenet.step0_loss").value
    )
    assert run.history.losses[0] == pytest.approx(3.3167154788970947, rel=CPU_RTOL)
    assert run.losses == {"val": pytest.approx(2.2802743911743164, rel=CPU_RTOL)}


DEEP = [(2, 2, 2, 2), (2, 2, 2, 2, 2), (3, 2, 2, 2), (2, 1, 2, 2, 2), (4, 1, 1, 1, 2)]


@pytest.mark.parametrize("merges", DEEP, ids=str)
def test_any_depth_works_more_than_three_levels_included(merges):
    """Four to five joining levels: the output keeps its shape, every parameter gets a
    gradient, training lowers the loss, the convolutional view agrees, and sampling (a
    batch of one in evaluation mode) works."""
    g = torch.Generator().manual_seed(0)
    model = WaveNet(WaveNetConfig(n_embd=4, n_hidden=8, merges=merges), generator=g)
    T = model.block_size
    X = torch.randint(0, 27, (64, T), generator=g)
    Y = (X[:, -1] + 1) % 27  # learnable: the next letter of the alphabet
    logits = model(X)
    assert logits.shape == (64, 27)
    F.cross_entropy(logits, Y).backward()
    assert all(
        p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters()
    )
    history = train(model, X, Y, 60, lr=0.5, generator=g)
    assert history.losses[-1] < history.losses[0] - 0.5
    ids = torch.randint(0, 27, (3, T + 4), generator=g)
    model.eval()
    windows = torch.stack([model(ids[:, t : t + T]) for t in range(5)], dim=1)
    torch.testing.assert_close(logits_at_every_position(model, ids), windows)
    vocab = CharVocab.from_words(["abcdefghijklmnopqrstuvwxyz"])
    assert len(sample_names(model, vocab, T, n=2, generator=g, max_length=5)) == 2


def test_the_lectures_squeezing_layer_breaks_a_deeper_stack():
    """What the lecture's FlattenConsecutive does once one position is left (it drops
    the time axis), and why ours does not: a level with nothing left to join then finds
    a 2-D input."""

    def squeezing(n):
        def layer(x):
            B, T, C = x.shape
            x = x.reshape(B, T // n, C * n)
            return x.squeeze(1) if x.shape[1] == 1 else x

        return layer

    x = torch.randn(2, 4, 3)
    with pytest.raises(ValueError, match="not enough values to unpack"):
        squeezing(1)(squeezing(2)(squeezing(2)(x)))  # merges (2, 2, 1)
    ours = FlattenConsecutive(1)(FlattenConsecutive(2)(FlattenConsecutive(2)(x)))
    assert ours.shape == (2, 1, 12)


def test_evaluation_mode_treats_each_example_on_its_own():
    g = torch.Generator().manual_seed(3)
    model = WaveNet(WaveNetConfig(n_embd=5, n_hidden=16), generator=g)
    X = torch.randint(0, 27, (200, 8), generator=g)
    train(model, X, X[:, 0], 20, generator=g)
    model.eval()
    with torch.no_grad():
        alone = torch.cat([model(X[i : i + 1]) for i in range(6)])
        torch.testing.assert_close(model(X[:6]), alone)


def test_dropout_is_reproducible_and_off_in_evaluation():
    x = torch.ones(1000)
    a = Dropout(0.25, generator=torch.Generator().manual_seed(0))(x)
    b = Dropout(0.25, generator=torch.Generator().manual_seed(0))(x)
    assert torch.equal(a, b)
    # survivors scaled by 1 / (1 − p)
    assert torch.allclose(a[a != 0], torch.tensor(4 / 3))
    assert abs((a == 0).float().mean().item() - 0.25) < 0.05
    layer = Dropout(0.25)
    layer.eval()
    assert torch.equal(layer(x), x)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\), got 1.0"):
        Dropout(1.0)


def test_calibrating_the_batchnorms_of_a_wavenet(names_splits):
    s = names_splits(8)
    model = WaveNet(WaveNetConfig(n_embd=8, n_hidden=16), generator=torch.Generator())
    calibrate_batchnorm(model, s.train.X[:3000])
    bn = model.layers[3]
    assert isinstance(bn, BatchNorm) and bn.running_mean.shape == (16,)
    with torch.no_grad():
        pre = model.layers[2](model.layers[1](model.layers[0](s.train.X[:3000])))
    torch.testing.assert_close(bn.running_mean, pre.mean((0, 1)))
    assert evaluate(model, s.val.X, s.val.Y) > 0


def test_shape_errors_are_clear():
    model = WaveNet(WaveNetConfig())
    with pytest.raises(ValueError, match=r"contexts of 8 characters: .* got \(32, 3\)"):
        model(torch.zeros(32, 3, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"expected token ids \(batch, length >= 8\)"):
        logits_at_every_position(model, torch.zeros(2, 5, dtype=torch.int64))
    with pytest.raises(
        ValueError, match="merges must be a non-empty tuple of positive ints"
    ):
        WaveNetConfig(merges=())
    with pytest.raises(
        ValueError, match="merges must be a non-empty tuple of positive ints"
    ):
        WaveNetConfig(merges=(2, 0))
    with pytest.raises(ValueError, match=r"BatchNorm\(4\) expects \(batch, 4\) or"):
        BatchNorm(4)(torch.zeros(2, 3, 5))
    with pytest.raises(ValueError, match=r"expects \(batch, 2, 4\), got \(2, 3, 4\)"):
        PositionBatchNorm(4, positions=2)(torch.zeros(2, 3, 4))
    buggy = WaveNet(WaveNetConfig(per_position_bn=True))
    with pytest.raises(ValueError, match="per-position BatchNorm"):
        logits_at_every_position(buggy, torch.zeros(2, 9, dtype=torch.int64))
