"""Bigram counts and the neural bigram, down to the lecture's numbers and names."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from zero_to_hero.makemore.bigram import (
    BigramCounts,
    NeuralBigram,
    count_bigrams,
    train_neural_bigram,
)
from zero_to_hero.makemore.dataset import build_windows
from zero_to_hero.makemore.sampling import sample_names
from zero_to_hero.reference import MAKEMORE_BIGRAM_SAMPLES, anchor
from zero_to_hero.vocab import CharVocab

SEED = 2147483647


@pytest.fixture(scope="module")
def data(names):
    vocab = CharVocab.from_words(names)
    X, Y = build_windows(names, vocab, block_size=1)
    return vocab, count_bigrams(names, vocab), X, Y


def test_the_count_table(data, names):
    vocab, N, X, _ = data
    assert N.shape == (27, 27) and N.dtype == torch.int64
    assert N.sum() == anchor("makemore.bigrams").value == len(X)
    assert (N > 0).sum() == 627  # of the 729 cells
    assert N[0].sum() == N[:, 0].sum() == len(names)  # every name starts and ends once
    assert N[0, 0] == 0  # no empty names
    assert N[vocab.stoi("e"), vocab.stoi("m")] == sum(w.count("em") for w in names)


@pytest.mark.parametrize(
    "smoothing,expected",
    [
        (0.0, "makemore.bigram.nll"),
        (1.0, "makemore.bigram.nll_smoothed"),
        (0.1, 2.454061),
    ],
)
def test_nll_of_the_counts_model_is_the_published_one(data, smoothing, expected):
    _, N, X, Y = data
    value = expected if isinstance(expected, float) else anchor(expected).value
    assert round(BigramCounts(N, smoothing).nll(X, Y), 6) == value


def test_unseen_pairs_cost_infinity_without_smoothing_and_not_with_it(data):
    vocab, N, _, _ = data
    X, Y = build_windows(["andrejq"], vocab, 1)  # "jq" never occurs in names.txt
    assert N[vocab.stoi("j"), vocab.stoi("q")] == 0
    assert math.isinf(BigramCounts(N, 0.0).nll(X, Y))
    assert math.isfinite(BigramCounts(N, 1.0).nll(X, Y))


def test_probability_rows_sum_to_one_along_the_class_axis(data):
    _, N, X, _ = data
    model = BigramCounts(N, 1.0)
    torch.testing.assert_close(model.P.sum(1), torch.ones(27))
    probs = model.probs(X[:100])
    torch.testing.assert_close(probs.sum(-1), torch.ones(100))
    torch.testing.assert_close(F.softmax(model(X[:100]), dim=-1), probs)


def test_sampling_draws_the_lectures_names(data):
    vocab, N, _, _ = data
    g = torch.Generator().manual_seed(SEED)
    names = sample_names(
        BigramCounts(N, 1.0), vocab, 1, len(MAKEMORE_BIGRAM_SAMPLES), g
    )
    assert tuple(names) == MAKEMORE_BIGRAM_SAMPLES


def test_indexing_rows_is_the_one_hot_matmul(data):
    X = data[2]
    model = NeuralBigram(27, generator=torch.Generator().manual_seed(SEED))
    xenc = F.one_hot(X[:, 0], num_classes=27).float()
    assert torch.equal(model(X), xenc @ model.W)


def test_full_batch_training_matches_the_lecture_at_the_start(data):
    _, _, X, Y = data
    model = NeuralBigram(27, generator=torch.Generator().manual_seed(SEED))
    history = train_neural_bigram(model, X, Y, steps=2)
    assert round(history[0].loss, 4) == anchor("makemore.neural_bigram.step0").value
    assert round(history[0].nll, 4) == 3.7590
    assert history[1].loss < history[0].loss


def test_the_counts_give_the_same_loss_and_gradient_as_all_the_examples(data):
    _, N, X, Y = data
    a = NeuralBigram(27, generator=torch.Generator().manual_seed(SEED))
    b = NeuralBigram(27, generator=torch.Generator().manual_seed(SEED))
    for model in (a, b):  # float64: 228,146 float32 terms would round differently
        model.W = model.W.detach().double().requires_grad_()
    loss_a, nll_a = a.loss(X, Y)
    loss_b, nll_b = b.loss_from_counts(N)
    loss_a.backward()
    loss_b.backward()
    torch.testing.assert_close(loss_a, loss_b)
    torch.testing.assert_close(nll_a, nll_b)
    torch.testing.assert_close(a.W.grad, b.W.grad)


def test_the_neural_bigram_converges_to_the_counts_model(data):
    _, N, _, _ = data
    model = NeuralBigram(27, generator=torch.Generator().manual_seed(SEED))
    history = train_neural_bigram(model, counts=N, steps=501)
    for step in (100, 300, 500):
        assert (
            round(history[step].loss, 4)
            == anchor(f"makemore.neural_bigram.step{step}").value
        )
    # its NLL approaches the counts model's, from above; the rows approach the counts'
    # rows
    counts_nll = anchor("makemore.bigram.nll").value
    assert 0 < history[500].nll - counts_nll < 0.01
    smoothed = BigramCounts(N, 1.0).P
    assert (F.softmax(model.W, dim=1) - smoothed).abs().max() < 0.05


def test_bad_input_is_a_clear_error(data):
    _, N, X, Y = data
    with pytest.raises(ValueError, match="square matrix"):
        BigramCounts(N[:3])
    with pytest.raises(ValueError, match="smoothing must be >= 0"):
        BigramCounts(N, -1.0)
    with pytest.raises(
        ValueError, match="either the examples x and y, or their counts"
    ):
        train_neural_bigram(NeuralBigram(), X, Y, counts=N)
