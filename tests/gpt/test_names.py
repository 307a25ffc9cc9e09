"""The GPT that reads whole names: sequences, the padding that is skipped, training,
sampling."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.gpt.model import GPT, GPTConfig
from zero_to_hero.gpt.names import (
    BEYOND_GPT,
    IGNORE,
    NamesGPTRecipe,
    NamesTraining,
    evaluate_names,
    length_buckets,
    name_sequences,
    sample_gpt_names,
    train_names_gpt,
)
from zero_to_hero.recipes import Recipe
from zero_to_hero.vocab import CharVocab

VOCAB = CharVocab.from_words(["abcdefghijklmnopqrstuvwxyz"])
word_lists = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12), min_size=1
)


def tiny(steps: int = 30, dropout: float = 0.0, block_size: int = 16) -> NamesGPTRecipe:
    model = GPTConfig(27, block_size, n_layer=1, n_head=2, n_embd=16, dropout=dropout)
    training = NamesTraining(
        batch_size=8, max_iters=steps, learning_rate=1e-2, warmup_iters=5
    )
    return Recipe("tiny", "a tiny test model", model, training)


@given(word_lists)
def test_sequences_hold_each_word_its_boundaries_and_nothing_else(words):
    X, Y = name_sequences(words, VOCAB, length=13)
    for word, x, y in zip(words, X.tolist(), Y.tolist(), strict=True):
        n = len(word)
        assert (
            x[0] == 0 and VOCAB.decode(x[1 : n + 1]) == word and set(x[n + 1 :]) <= {0}
        )
        assert VOCAB.decode(y[:n]) == word and y[n] == 0 and set(y[n + 1 :]) <= {IGNORE}
    assert int((Y != IGNORE).sum()) == sum(len(w) + 1 for w in words)


def test_the_targets_are_the_lecture_splits(names_splits):
    """The same targets as the windowed models' validation set: the losses compare."""
    splits = names_splits(3)
    _, Y = name_sequences(splits.val.words, splits.vocab, length=16)
    targets = Y[Y != IGNORE]
    assert len(targets) == len(splits.val.Y) == 22_655
    assert torch.equal(targets, splits.val.Y)  # row by row, in the same order


def test_sequence_errors_are_clear():
    with pytest.raises(ValueError, match="needs length >= 6"):
        name_sequences(["abcde"], VOCAB, length=5)
    with pytest.raises(TypeError, match="list of words"):
        name_sequences("abc", VOCAB, length=5)
    with pytest.raises(ValueError, match="boundary token"):
        name_sequences(["abc"], CharVocab("abc"), length=5)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        name_sequences(["ab1"], VOCAB, length=5)


@settings(max_examples=10, deadline=None)
@given(word_lists, st.integers(0, 2**31 - 1))
def test_padding_changes_no_prediction(words, seed):
    """Training crops each batch to its longest name: the prediction at a real position
    must not depend on how much padding follows it (the attention is causal)."""
    torch.manual_seed(seed)
    model = GPT(tiny().model).eval()
    X, Y = name_sequences(words, VOCAB, length=16)
    full, _ = model(X)
    width = int((Y != IGNORE).sum(1).max())
    cropped, _ = model(X[:, :width])
    torch.testing.assert_close(cropped, full[:, :width], rtol=0, atol=1e-6)


def test_evaluation_is_the_mean_loss_per_target():
    torch.manual_seed(0)
    model = GPT(tiny().model)
    X, Y = name_sequences(["ab", "abcdef", "z"], VOCAB, length=16)
    logits, _ = model.eval()(X)
    per_target = [
        torch.nn.functional.cross_entropy(logits[i, t], Y[i, t]).item()
        for i in range(len(X))
        for t in range(X.shape[1])
        if Y[i, t] != IGNORE
    ]
    assert evaluate_names(model, X, Y, batch_size=2) == pytest.approx(
        sum(per_target) / len(per_target), rel=1e-6
    )


def test_training_is_deterministic_and_learns():
    words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper"]
    X, Y = name_sequences(words, VOCAB, length=16)
    first, h1 = train_names_gpt(
        tiny(60, dropout=0.1), X, Y, eval_every=20, eval_data={"t": (X, Y)}
    )
    again, h2 = train_names_gpt(tiny(60, dropout=0.1), X, Y)
    assert h1.losses == h2.losses
    assert all(
        torch.equal(a, b) for a, b in zip(first.parameters(), again.parameters())
    )
    assert [step for step, _ in h1.evals] == [20, 40, 60]
    assert h1.evals[-1][1]["t"] < h1.evals[0][1]["t"] < 3.3  # below log(27) and falling
    assert not first.training and h1.steps == 60 and h1.cpu_seconds > 0


def test_steps_override_the_recipe_and_bad_input_is_refused():
    X, Y = name_sequences(["ab", "cd"], VOCAB, length=16)
    _, history = train_names_gpt(tiny(100), X, Y, steps=3)
    assert history.steps == 3
    with pytest.raises(ValueError, match="steps must be >= 0"):
        train_names_gpt(tiny(), X, Y, steps=-1)
    with pytest.raises(ValueError, match="same non-empty"):
        train_names_gpt(tiny(), X, Y[:, :5])
    with pytest.raises(ValueError, match="block_size 8"):
        train_names_gpt(tiny(block_size=8), X, Y)


def test_sampled_names_are_reproducible_and_fit_the_context():
    torch.manual_seed(0)
    model = GPT(tiny(block_size=6).model)
    draw = lambda: sample_gpt_names(  # noqa: E731
        model, VOCAB, 20, torch.Generator().manual_seed(3)
    )
    names = draw()
    assert names == draw() and len(names) == 20
    assert all(
        len(n) <= 5 and set(n) <= set("abcdefghijklmnopqrstuvwxyz") for n in names
    )
    assert model.training  # put back as it was


def test_the_beyond_recipe_keeps_within_the_budget(names):
    assert GPT(BEYOND_GPT.model).num_params() <= 500_000
    assert BEYOND_GPT.model.block_size >= max(map(len, names)) + 1
    assert BEYOND_GPT.model.vocab_size == len(CharVocab.from_words(names))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 16), min_size=1, max_size=200), st.integers(1, 40))
def test_length_buckets_draw_every_name_once_per_epoch_in_batches_of_one_length(
    lengths, size
):
    lengths = torch.tensor(lengths)
    batches = length_buckets(lengths, size, torch.Generator().manual_seed(1))
    n_batches = -(-len(lengths) // size)
    for _epoch in range(2):
        epoch = [next(batches) for _ in range(n_batches)]
        assert sorted(torch.cat(epoch).tolist()) == list(range(len(lengths)))
        # sorted by length before the cut: at most one batch straddles each change of
        # length
        straddling = sum(len(set(lengths[b].tolist())) - 1 for b in epoch)
        assert straddling <= len(set(lengths.tolist())) - 1


def test_bucketed_training_weighs_every_target_the_same():
    """With buckets, a batch's loss is its sum over the targets an average batch holds:
    the gradient of the first step equals the gradient of the per-target mean over those
    names."""
    words = ["ab", "abcdefgh", "c", "xyz"]
    X, Y = name_sequences(words, VOCAB, length=16)
    recipe = Recipe(
        "b",
        "bucketed",
        tiny().model,
        NamesTraining(
            batch_size=4,
            max_iters=1,
            learning_rate=1e-2,
            warmup_iters=0,
            bucket_by_length=True,
        ),
    )
    _, history = train_names_gpt(recipe, X, Y)
    torch.manual_seed(recipe.training.seed)
    fresh = GPT(recipe.model)
    # the whole set is one batch: its mean is the per-target mean
    _, mean_loss = fresh(X, Y)
    assert history.losses[0] == pytest.approx(mean_loss.item(), rel=1e-6)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        next(length_buckets(torch.tensor([]), 4))
