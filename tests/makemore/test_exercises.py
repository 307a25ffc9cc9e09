"""The solutions of the makemore exercises do what their exercises ask."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.makemore.backprop import embedding_backward
from zero_to_hero.makemore.bigram import BigramCounts, NeuralBigram, count_bigrams
from zero_to_hero.makemore.bnmath import batchnorm_backward, batchnorm_forward
from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig
from zero_to_hero.makemore.exercises import (
    QUICK,
    DirectMLP,
    batchnorm_scale_invariance,
    best_smoothing,
    bias_gradient_before_batchnorm,
    bigram_weights_from_counts,
    conv1d_levels,
    conv1d_logits,
    deeper_context,
    finite_difference_check,
    fold_all_batchnorms,
    initial_loss,
    label_smoothing_backward,
    layernorm_backward,
    naive_nll,
    ngram_counts,
    ngram_nll,
    one_hot_embedding_backward,
    receptive_field,
    steps_to_forget,
    suggest_lr,
    unigram_entropy,
    useless_bias_gradient,
    vowel_similarity,
    wavenet_parameter_count,
    zero_init_run,
)
from zero_to_hero.makemore.mlp import MLPConfig
from zero_to_hero.makemore.recipes import WAVENET_STAGES, build, recipe, run_recipe
from zero_to_hero.makemore.train import evaluate, lr_sweep, train
from zero_to_hero.makemore.wavenet import (
    WaveNet,
    WaveNetConfig,
    logits_at_every_position,
)
from zero_to_hero.reference import anchor

# --- bigram page ----------------------------------------------------------------------


def test_a_trigram_beats_the_bigram_and_smoothing_is_chosen_on_validation(names_splits):
    s = names_splits(1)
    bigram = ngram_nll(ngram_counts(s.train.words, s.vocab, 2), s.val.words, s.vocab)
    trigram = ngram_nll(ngram_counts(s.train.words, s.vocab, 3), s.val.words, s.vocab)
    assert trigram < bigram - 0.2
    assert bigram == pytest.approx(
        BigramCounts.fit(s.train.words, s.vocab).nll(s.val.X, s.val.Y)
    )
    best, losses = best_smoothing(s, n=3)
    assert losses[best] == min(losses.values()) and best == 0.1
    assert losses[best] < trigram  # better than +1 on validation


def test_log_counts_are_a_neural_bigram_with_the_counts_models_loss(names_splits):
    s = names_splits(1)
    N = count_bigrams(s.train.words, s.vocab)
    model = NeuralBigram(27)
    model.W = bigram_weights_from_counts(N, 1.0).requires_grad_()
    _, nll = model.loss(s.val.X, s.val.Y, reg=0.0)
    assert nll.item() == pytest.approx(
        BigramCounts(N, 1.0).nll(s.val.X, s.val.Y), abs=1e-6
    )


def test_the_naive_loss_overflows_where_cross_entropy_does_not():
    logits = torch.tensor([[1000.0, 1001.0, 999.0], [0.5, -0.5, 0.0]])
    y = torch.tensor([1, 0])
    assert math.isnan(naive_nll(logits, y).item())
    assert math.isfinite(F.cross_entropy(logits, y).item())
    # the shift cross_entropy makes inside
    small = logits - logits.max(1, keepdim=True).values
    torch.testing.assert_close(naive_nll(small, y), F.cross_entropy(logits, y))


# --- MLP page -------------------------------------------------------------------------


def test_small_output_weights_start_at_the_uniform_loss(names_splits):
    train_split = names_splits(3).train
    X, Y = train_split.X[:5000], train_split.Y[:5000]
    uniform = math.log(27)
    assert initial_loss(MLPConfig(), X, Y) > 10  # confidently wrong
    fixed = initial_loss(MLPConfig(w2_scale=0.01, b2_scale=0.0), X, Y)
    assert abs(fixed - uniform) < 0.05


def test_the_lr_sweep_suggests_a_rate_near_the_lectures(names_splits):
    s = names_splits(3)
    exponents = torch.linspace(-3, 0, 1000).tolist()
    model, g = build(recipe("mlp"))
    losses = lr_sweep(model, s.train.X, s.train.Y, exponents, generator=g)
    assert 0.03 <= suggest_lr(exponents, losses) <= 0.3  # the lecture settles on 0.1
    with pytest.raises(ValueError, match="as many losses as exponents"):
        suggest_lr(exponents[:10], losses[:10])


def test_direct_connections_start_as_the_plain_mlp_and_learn(names_splits):
    s = names_splits(3)
    direct, g = DirectMLP(MLPConfig(w2_scale=0.01, b2_scale=0.0), generator=_g()), _g()
    plain, _ = build(recipe("mlp-softmax-fix"))
    assert torch.equal(direct(s.val.X[:50]), plain(s.val.X[:50]))
    assert direct.num_parameters() == anchor("makemore.mlp.params").value + 30 * 27
    train(direct, s.train.X, s.train.Y, 300, generator=g)
    assert direct.Wd.abs().max() > 0 and evaluate(direct, s.val.X, s.val.Y) < 2.7


def _g():
    return torch.Generator().manual_seed(2147483647)


@pytest.fixture(scope="module")
def quick_run(names_splits):
    return run_recipe(QUICK, names_splits(8))


def test_the_quick_recipe_beats_the_lectures_full_run(quick_run):
    assert quick_run.history.steps == 2000
    assert quick_run.losses["val"] < anchor("makemore.init.mlp.val").value


def test_vowels_end_up_closer_to_each_other_than_to_consonants(quick_run, names_splits):
    within, across = vowel_similarity(
        quick_run.model.layers[0].weight, names_splits(8).vocab
    )
    assert within > across + 0.1
    fresh = DeepMLP(QUICK.model, generator=torch.Generator().manual_seed(0))
    within0, across0 = vowel_similarity(fresh.layers[0].weight, names_splits(8).vocab)
    assert abs(within0 - across0) < 0.1  # random vectors: no structure yet


# --- initialization and BatchNorm page ------------------------------------------------


def test_an_all_zero_network_learns_only_the_character_frequencies(names_splits):
    s = names_splits(3)
    model = zero_init_run(s.train.X, s.train.Y)
    for p in (model.C, model.W1, model.b1, model.W2):
        assert torch.count_nonzero(p) == 0  # not one gradient reached them
    assert torch.count_nonzero(model.b2) == 27
    loss = evaluate(model, s.val.X, s.val.Y)
    # what the frequencies alone give
    assert abs(loss - unigram_entropy(s.train.Y)) < 0.02


def test_a_bias_before_batchnorm_gets_no_gradient(names_splits):
    train_split = names_splits(3).train
    b1_grad, w1_grad = bias_gradient_before_batchnorm(
        train_split.X[:32], train_split.Y[:32]
    )
    assert w1_grad > 0.01 and b1_grad < 1e-6  # zero, up to float32 rounding


def test_folded_batchnorms_give_the_same_predictions(names_splits):
    s = names_splits(3)
    model = DeepMLP(DeepMLPConfig(), generator=_g())
    train(model, s.train.X, s.train.Y, 100, generator=_g())
    model.eval()
    folded = fold_all_batchnorms(model)
    assert not any(type(layer).__name__ == "BatchNorm1d" for layer in folded.layers)
    assert len(folded) == len(model) - 6
    torch.testing.assert_close(
        folded(s.val.X[:500]), model(s.val.X[:500]), rtol=1e-4, atol=1e-4
    )


# --- BatchNorm essay ------------------------------------------------------------------

shapes = st.tuples(st.integers(2, 8), st.integers(1, 5))


@given(shapes, st.integers(0, 2**16))
def test_layernorm_backward_matches_autograd(shape, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
    gamma = torch.randn(shape[1], generator=g, dtype=torch.float64, requires_grad=True)
    beta = torch.randn(shape[1], generator=g, dtype=torch.float64, requires_grad=True)
    dout = torch.randn(shape, generator=g, dtype=torch.float64)
    if shape[1] == 1:
        return  # one feature: nothing to normalize over
    F.layer_norm(x, (shape[1],), gamma, beta, eps=1e-5).backward(dout)
    dx, dgamma, dbeta = layernorm_backward(dout, x.detach(), gamma.detach())
    torch.testing.assert_close(dx, x.grad)
    torch.testing.assert_close(dgamma, gamma.grad)
    torch.testing.assert_close(dbeta, beta.grad)


@given(shapes, st.integers(0, 2**16), st.booleans())
def test_batchnorm_input_gradients_sum_to_zero_and_are_orthogonal_to_xhat(
    shape, seed, unbiased
):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64) * 3
    gamma = torch.randn(shape[1], generator=g, dtype=torch.float64)
    # eps = 0: with eps the normalized columns have a norm a hair below sqrt(m)
    _, cache = batchnorm_forward(
        x, gamma, torch.zeros_like(gamma), eps=0.0, unbiased=unbiased
    )
    dx, _, _ = batchnorm_backward(
        torch.randn(shape, generator=g, dtype=torch.float64), cache
    )
    torch.testing.assert_close(dx.sum(0), torch.zeros(shape[1], dtype=torch.float64))
    torch.testing.assert_close(
        (dx * cache.xhat).sum(0), torch.zeros(shape[1], dtype=torch.float64)
    )


def test_batchnorm_ignores_the_scale_of_the_weights_before_it():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 10, generator=g, dtype=torch.float64)
    W = torch.randn(10, 6, generator=g, dtype=torch.float64)
    for a in (0.1, 3.0, 50.0):
        out_diff, grad_ratio = batchnorm_scale_invariance(x, W, a, eps=0.0)
        assert out_diff < 1e-12  # exactly invariant without epsilon
        assert grad_ratio == pytest.approx(1 / a, rel=1e-9)
        out_diff, grad_ratio = batchnorm_scale_invariance(x, W, a)  # eps = 1e-5
        assert out_diff < 1e-3 and grad_ratio == pytest.approx(1 / a, rel=1e-3)


@pytest.mark.parametrize("momentum", [0.001, 0.1])
def test_steps_to_forget_match_a_simulated_running_average(momentum):
    k = steps_to_forget(momentum)
    running = torch.tensor(1.0, dtype=torch.float64)  # the initial value's weight
    for _ in range(k - 1):
        running = (1 - momentum) * running
    assert running >= 0.01 > (1 - momentum) * running
    assert steps_to_forget(0.001) == 4603 and steps_to_forget(0.1) == 44


# --- manual backprop page -------------------------------------------------------------


def test_finite_differences_agree_with_the_hand_written_gradient():
    pairs = finite_difference_check([(0, 0), (5, 7), (29, 63)])
    for numeric, analytic in pairs:
        assert abs(analytic) > 1e-5  # a real gradient, not a zero that trivially agrees
        assert numeric == pytest.approx(analytic, rel=1e-6, abs=1e-9)


@given(st.integers(0, 2**16), st.integers(1, 40))
def test_the_embedding_backward_is_a_one_hot_matrix_product(seed, n):
    g = torch.Generator().manual_seed(seed)
    ix = torch.randint(0, 27, (n, 3), generator=g)
    demb = torch.randn(n, 3, 10, generator=g, dtype=torch.float64)
    torch.testing.assert_close(
        one_hot_embedding_backward(ix, demb, 27), embedding_backward(ix, demb, 27)
    )


@given(st.integers(0, 2**16), st.integers(1, 20), st.floats(0.0, 0.9))
def test_the_label_smoothing_backward_matches_autograd(seed, n, eps):
    g = torch.Generator().manual_seed(seed)
    logits = (torch.randn(n, 27, generator=g, dtype=torch.float64) * 3).requires_grad_()
    Y = torch.randint(0, 27, (n,), generator=g)
    F.cross_entropy(logits, Y, label_smoothing=eps).backward()
    torch.testing.assert_close(
        label_smoothing_backward(logits.detach(), Y, eps), logits.grad
    )


def test_the_bias_before_batchnorm_gets_no_gradient_by_hand_either(names_splits):
    train_split = names_splits(3).train
    b1_grad, w1_grad = useless_bias_gradient(train_split.X[:32], train_split.Y[:32])
    assert w1_grad > 1e-3 and b1_grad < 1e-8


# --- WaveNet page ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(WAVENET_STAGES))
def test_the_parameter_formula_counts_every_stage(name):
    r = WAVENET_STAGES[name]
    assert wavenet_parameter_count(r.model) == build(r)[0].num_parameters()


@pytest.mark.parametrize("merges", [(2, 2, 2), (3, 2), (2, 2, 2, 2)])
def test_an_output_sees_its_window_and_nothing_later(merges):
    model = WaveNet(WaveNetConfig(n_embd=6, n_hidden=12, merges=merges))
    T, length = model.block_size, 30
    for position in (0, T, 20, length - 1):
        # output t reads inputs t … t + T − 1
        expected = [t for t in range(length - T + 1) if t <= position <= t + T - 1]
        assert receptive_field(model, length, position) == expected


def test_conv1d_layers_compute_the_convolutional_view():
    g = torch.Generator().manual_seed(0)
    model = WaveNet(WaveNetConfig(n_embd=6, n_hidden=10, merges=(2, 3, 2)), generator=g)
    train(
        model,
        torch.randint(0, 27, (256, 12), generator=g),
        torch.randint(0, 27, (256,)),
        20,
    )
    ids = torch.randint(0, 27, (4, 30), generator=g)
    convs = conv1d_levels(model)
    assert [c.dilation[0] for c in convs] == [1, 2, 6]
    torch.testing.assert_close(
        conv1d_logits(model, ids),
        logits_at_every_position(model, ids),
        rtol=1e-5,
        atol=1e-5,
    )


def test_a_longer_context_at_a_short_training_length(names):
    losses = deeper_context(names, steps=1500)
    assert set(losses) == {8, 16}
    assert all(2.0 < loss < 2.6 for loss in losses.values())
    assert abs(losses[16] - losses[8]) < 0.1  # no big difference this early
